import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { signStripePayload } from '../billing/stripe-client.js'
import { stripeEvent, type StripeEvent, type StripeObject } from '../billing/stripe-builders.js'

// A local stand-in for Stripe's API (issue 12 item 5), reached by the official SDK through
// STRIPE_API_URL=http://127.0.0.1:<port> and any sk_test_ key. It records every request, knows
// the invoices a test registers, answers POST /v1/invoices/:id/pay the way Stripe's API reference
// describes (the updated Invoice, or an error body), and then does what Stripe does next: sends
// the resulting events, signed with the webhook secret, to `deliver`. Error messages are modelled
// on Stripe's, not copied from it.

export type RecordedRequest = {
  method: string
  /** Path without the query, e.g. /v1/invoices/in_123/pay. */
  path: string
  /** The form body, decoded (`paid_out_of_band` → 'true'). */
  form: Record<string, string>
  idempotencyKey: string | undefined
  /** An `Authorization: Bearer …` header was sent (the key itself is never kept). */
  authorized: boolean
}

/** Stripe's error object, as sent under `{ error: … }` with an HTTP status. */
export type StripeApiError = {
  status: number
  type: 'card_error' | 'invalid_request_error' | 'api_error' | 'authentication_error'
  code?: string
  decline_code?: string
  message: string
}

/** Stripe's answer to a revoked or wrong secret key (HTTP 401); its message shows the masked key. */
export const KEY_REFUSED: StripeApiError = {
  status: 401,
  type: 'authentication_error',
  message: 'Invalid API Key provided: sk_test_****leet',
}

/** Stripe's answer to a charge on a declined card (HTTP 402). */
export const CARD_DECLINED: StripeApiError = {
  status: 402,
  type: 'card_error',
  code: 'card_declined',
  decline_code: 'generic_decline',
  message: 'Your card was declined.',
}

export type FakeStripeOptions = {
  /** The webhook endpoint's secret (whsec_…): deliveries are signed with it. */
  webhookSecret: string
  /** Sends one signed event to the app: `app.request(…)` in route tests, fetch in the browser's. */
  deliver: (payload: string, signature: string) => Promise<unknown>
  /** 'immediate' (default): right after the API answer; 'manual': queued until flush(). */
  delivery?: 'immediate' | 'manual'
  /** The clock of the events' `created` and paid_at, in milliseconds; Date.now by default. */
  now?: () => number
}

export type FakeStripe = {
  /** http://127.0.0.1:<port>, for STRIPE_API_URL. */
  url: string
  requests: RecordedRequest[]
  /** Registers (or replaces) an invoice, e.g. from invoiceObject() of stripe-builders. */
  putInvoice(invoice: StripeObject): void
  invoice(id: string): StripeObject | undefined
  /** The next pay call on `invoiceId` fails with `error` (then it works again). */
  failNextPay(invoiceId: string, error: StripeApiError): void
  /** Every later pay call is answered `ms` milliseconds late (0: at once), like a slow Stripe. */
  delayPays(ms: number): void
  /** Events waiting for flush() (manual delivery). */
  queued(): StripeEvent[]
  /** Delivers every queued event in order; resolves with what `deliver` returned for each. */
  flush(): Promise<unknown[]>
  /** Resolves once every delivery started so far has finished. */
  settled(): Promise<void>
  close(): Promise<void>
}

/** Starts the fake on 127.0.0.1 at a random free port. */
export async function startFakeStripe(options: FakeStripeOptions): Promise<FakeStripe> {
  const invoices = new Map<string, StripeObject>()
  const failures = new Map<string, StripeApiError>()
  const answered = new Map<string, { status: number; body: unknown }>()
  const requests: RecordedRequest[] = []
  let queue: StripeEvent[] = []
  let inFlight: Promise<unknown> = Promise.resolve()
  let payDelayMs = 0
  const now = options.now ?? Date.now

  const send = (event: StripeEvent) => {
    const payload = JSON.stringify(event)
    // Signed at the real time, as Stripe does: the endpoint checks it against its 300 s tolerance.
    const signature = signStripePayload(payload, options.webhookSecret)
    return options.deliver(payload, signature)
  }
  const emit = (events: StripeEvent[]) => {
    if (options.delivery === 'manual') return void queue.push(...events)
    inFlight = inFlight.then(async () => {
      for (const e of events) await send(e)
    })
  }

  const pay = (id: string, form: Record<string, string>): { status: number; body: unknown } => {
    const invoice = invoices.get(id)
    if (!invoice)
      return stripeError({
        status: 404,
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: `No such invoice: '${id}'`,
      })
    const failure = failures.get(id)
    if (failure) {
      failures.delete(id)
      return stripeError(failure)
    }
    if (invoice.status !== 'open') {
      const message =
        invoice.status === 'paid'
          ? 'Invoice is already paid'
          : `You can only pay an invoice that is open. This invoice is ${invoice.status}.`
      return stripeError({ status: 400, type: 'invalid_request_error', message })
    }
    const outOfBand = form.paid_out_of_band === 'true'
    const paidAt = Math.floor(now() / 1000)
    const transitions = invoice.status_transitions as Record<string, unknown>
    const paid: StripeObject = {
      ...invoice,
      status: 'paid',
      paid_out_of_band: outOfBand,
      amount_paid: invoice.amount_due,
      amount_remaining: 0,
      attempted: true,
      attempt_count: Number(invoice.attempt_count ?? 0) + (outOfBand ? 0 : 1),
      next_payment_attempt: null,
      status_transitions: { ...transitions, paid_at: paidAt },
    }
    invoices.set(id, paid)
    // Stripe sends invoice.paid for every payment, and invoice.payment_succeeded when money moved.
    const events = [stripeEvent('invoice.paid', paid, paidAt, { status: 'open' })]
    if (!outOfBand) events.push(stripeEvent('invoice.payment_succeeded', paid, paidAt))
    emit(events)
    return { status: 200, body: paid }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req)
    const path = new URL(req.url ?? '/', 'http://fake').pathname
    const form = Object.fromEntries(new URLSearchParams(raw))
    const idempotencyKey = header(req, 'idempotency-key')
    const authorized = /^Bearer \S+/.test(header(req, 'authorization') ?? '')
    requests.push({ method: req.method ?? 'GET', path, form, idempotencyKey, authorized })
    const answer = (a: { status: number; body: unknown }) => {
      res.writeHead(a.status, {
        'content-type': 'application/json',
        'request-id': `req_fake${requests.length}`,
      })
      res.end(JSON.stringify(a.body))
    }
    if (!authorized)
      return answer(
        stripeError({
          status: 401,
          type: 'invalid_request_error',
          message: 'You did not provide an API key.',
        }),
      )
    // Stripe answers a repeated idempotency key with the first answer, and does nothing again.
    const earlier = idempotencyKey && answered.get(idempotencyKey)
    if (earlier) return answer(earlier)
    const match = req.method === 'POST' && /^\/v1\/invoices\/([^/]+)\/pay$/.exec(path)
    if (match && payDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, payDelayMs))
    const result = match
      ? pay(decodeURIComponent(match[1]!), form)
      : stripeError({
          status: 404,
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${req.method}: ${path}).`,
        })
    if (idempotencyKey) answered.set(idempotencyKey, result)
    answer(result)
  }

  const server: Server = createServer(
    (req, res) => void handle(req, res).catch(() => res.destroy()),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    putInvoice: (invoice) => void invoices.set(invoice.id, structuredClone(invoice)),
    invoice: (id) => invoices.get(id),
    failNextPay: (invoiceId, error) => void failures.set(invoiceId, error),
    delayPays: (ms) => void (payDelayMs = ms),
    queued: () => [...queue],
    flush: async () => {
      const events = queue
      queue = []
      const results: unknown[] = []
      for (const e of events) results.push(await send(e))
      return results
    },
    settled: async () => {
      await inFlight
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

function stripeError(e: StripeApiError): { status: number; body: unknown } {
  const { status, ...error } = e
  return { status, body: { error: { ...error, doc_url: `https://docs.stripe.com/error-codes` } } }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
