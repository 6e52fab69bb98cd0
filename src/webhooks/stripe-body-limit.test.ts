import { describe, expect, it } from 'vitest'
import { useTestApp } from '../test-support/test-app.js'
import { STRIPE_WEBHOOK_MAX_BYTES } from './stripe.js'

// The webhook answers strangers (no session, no allowlist, no CSRF token), so no body it is sent
// may be read past its cap — whatever the content type, and without a Content-Length to trust.

const t = useTestApp({ STRIPE_WEBHOOK_SECRET: 'whsec_test_body_limit_secret' })

/** A body of `total` bytes sent in 64 KiB chunks, counting what the server pulled. */
function streamedBody(total: number) {
  const chunk = new Uint8Array(64 * 1024).fill(0x61)
  let sent = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close()
      sent += chunk.length
      controller.enqueue(chunk)
    },
  })
  return { stream, pulled: () => sent }
}

async function post(contentType: string, total: number) {
  const body = streamedBody(total)
  const res = await t.app.request('/webhooks/stripe', {
    method: 'POST',
    headers: { 'content-type': contentType, 'stripe-signature': 't=1,v1=00' },
    body: body.stream,
    // @ts-expect-error Node's fetch needs this for a streamed body
    duplex: 'half',
  })
  return { res, pulled: body.pulled() }
}

describe('the Stripe webhook body cap', () => {
  for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    it(`refuses a streamed ${type.split(';')[0]} body past 1 MiB without reading it all`, async () => {
      const { res, pulled } = await post(type, 64 * 1024 * 1024)
      expect(res.status).toBe(413)
      // At most the cap and a few chunks of slack were pulled, never the 64 MiB offered.
      expect(pulled).toBeLessThan(STRIPE_WEBHOOK_MAX_BYTES + 512 * 1024)
      const stored = await t.db
        .selectFrom('stripe_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
      expect(Number(stored.n)).toBe(0)
    })
  }

  it('refuses a streamed JSON body past 1 MiB', async () => {
    const { res, pulled } = await post('application/json', 8 * 1024 * 1024)
    expect(res.status).toBe(413)
    expect(pulled).toBeLessThan(STRIPE_WEBHOOK_MAX_BYTES + 512 * 1024)
  })
})
