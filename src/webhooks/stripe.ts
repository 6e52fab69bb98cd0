import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { ingestStripeEvent, parseStripeEvent } from '../billing/ingest.js'
import { stripeWebhooks } from '../billing/stripe-client.js'
import { processLogger, type Logger } from '../observability/logger.js'
import type { AppEnv } from '../web/env.js'
import { problem } from '../web/errors.js'

/** Stripe's events stay far below this; a larger body is refused before it is read whole. */
export const STRIPE_WEBHOOK_MAX_BYTES = 1024 * 1024

/**
 * `POST /webhooks/stripe` (issue 12 item 1): Stripe's signed deliveries into the event ledger.
 * No session, no CSRF token, outside the operator allowlist: the signature is the authentication.
 */
export const stripeWebhookRoutes = new Hono<AppEnv>()

stripeWebhookRoutes.post(
  '/',
  bodyLimit({
    maxSize: STRIPE_WEBHOOK_MAX_BYTES,
    onError: (c) => problem(c, 413, 'Payload Too Large', 'A Stripe event is at most 1 MiB.'),
  }),
  async (c) => {
    // The signature is the permission: no secret, no way to check it.
    const secret = c.var.deps.config.stripeWebhookSecret
    if (!secret) return problem(c, 503, 'Stripe webhooks are not configured')

    // Validate: the signature over the raw body (the SDK's 300 s tolerance, against real time).
    const raw = await c.req.text()
    const header = c.req.header('stripe-signature')
    if (!header) return problem(c, 400, 'Bad Request', 'The Stripe-Signature header is missing.')
    let verified: unknown
    try {
      verified = stripeWebhooks.constructEvent(raw, header, secret)
    } catch (error) {
      const why =
        error instanceof SyntaxError ? 'The body is not JSON.' : 'The signature does not verify.'
      return problem(c, 400, 'Bad Request', why)
    }
    const event = parseStripeEvent(verified)
    if ('invalid' in event)
      return problem(c, 400, 'Bad Request', `Not a Stripe event: ${event.invalid}.`)

    // Act: the one ingest path (ingestStripeEvent, shared with billing:replay and the demo): stored
    // and committed before any answer, then processed in a transaction of its own.
    const result = await ingestStripeEvent(c.var.db, verified, c.var.now())
    if (result.error) {
      // Stored and re-runnable: Stripe need not redeliver, the operator reprocesses.
      const log = (c.get('log') as Logger | undefined) ?? processLogger()
      log.error(
        { requestId: c.var.requestId, eventId: event.id, type: event.type, error: result.error },
        'stripe event processing failed',
      )
    }
    return c.json(result.stored ? { received: true } : { received: true, duplicate: true })
  },
)
