import { signStripePayload } from './stripe-client.js'

// Stripe's side of a webhook delivery, for the demo fleet, the fake Stripe API of the tests and
// the tests themselves: the event as JSON, signed like Stripe signs it, posted to the endpoint.

/** What can take a request: the app (`app.request`) or anything with the same call. */
export type RequestTarget = {
  request(path: string, init: RequestInit): Response | Promise<Response>
}

/**
 * POSTs `event` to `/webhooks/stripe` with a `Stripe-Signature` of `secret` at
 * `timestampSeconds` (default: the real now, which the SDK's 300 s tolerance is checked against).
 * `body` overrides the JSON (malformed-body tests).
 */
export function deliverStripeEvent(
  app: RequestTarget,
  event: unknown,
  secret: string,
  options: { timestampSeconds?: number; body?: string; signature?: string | null } = {},
): Promise<Response> | Response {
  const payload = options.body ?? JSON.stringify(event)
  const signature =
    options.signature === undefined
      ? signStripePayload(payload, secret, options.timestampSeconds)
      : options.signature
  return app.request('/webhooks/stripe', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature === null ? {} : { 'stripe-signature': signature }),
    },
    body: payload,
  })
}
