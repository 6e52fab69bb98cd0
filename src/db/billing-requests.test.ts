import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../test-support/test-app.js'
import {
  insertBillingRequest,
  listPendingBillingRequests,
  PENDING_REQUEST_MS,
} from './billing-requests.js'

// When a request to Stripe stops "waiting for Stripe": the invoice is paid (or void…), a later
// Stripe event about it arrived (a failed retry), or 24 hours went by without an answer.

const t = useTestDatabase()
const T0 = new Date('2026-12-01T12:00:00Z')

async function invoiceWithRequest(
  status = 'open',
  o: { requestedAt?: Date; stripeStatus?: string } = {},
) {
  const id = `in_${randomUUID().slice(0, 8)}`
  await t.db
    .insertInto('saas_invoices')
    .values({
      id,
      customer_id: 'cus_x',
      status,
      currency: 'eur',
      created: new Date(T0.getTime() - 86_400_000),
      source_created: new Date(T0.getTime() - 3_600_000),
    })
    .execute()
  await t.db.transaction().execute((trx) =>
    insertBillingRequest(trx, {
      id: randomUUID(),
      invoiceId: id,
      tenantId: null,
      action: 'retry_charge',
      requestedBy: null,
      requestedByEmail: 'ada@example.com',
      requestedAt: o.requestedAt ?? T0,
      stripeStatus: o.stripeStatus ?? 'paid',
    }),
  )
  return id
}

const pendingIds = async (id: string, now: Date) =>
  (await listPendingBillingRequests(t.db, [id], now)).map((r) => r.invoiceId)

describe('pending billing requests', () => {
  it('waits while the invoice is open and nothing newer came from Stripe', async () => {
    const id = await invoiceWithRequest()

    expect(await pendingIds(id, new Date(T0.getTime() + 60_000))).toEqual([id])
  })

  it('is answered once the invoice is paid', async () => {
    const id = await invoiceWithRequest('paid')

    expect(await pendingIds(id, T0)).toEqual([])
  })

  it('is answered by a later Stripe event about the invoice (a failed retry)', async () => {
    const id = await invoiceWithRequest()
    await t.db
      .updateTable('saas_invoices')
      .set({ source_created: new Date(T0.getTime() + 1000) })
      .where('id', '=', id)
      .execute()

    expect(await pendingIds(id, new Date(T0.getTime() + 60_000))).toEqual([])
  })

  it('stops waiting 24 hours after the request', async () => {
    const id = await invoiceWithRequest()

    expect(await pendingIds(id, new Date(T0.getTime() + PENDING_REQUEST_MS - 1))).toEqual([id])
    expect(await pendingIds(id, new Date(T0.getTime() + PENDING_REQUEST_MS))).toEqual([])
  })

  it("is answered by Stripe's event of the same second, or up to 5 s before it (clock skew)", async () => {
    const at = new Date(T0.getTime() + 700) // the app's milliseconds; Stripe's created is T0
    const later = new Date(T0.getTime() + 60_000)
    const answeredAt = async (sourceCreated: Date) => {
      const id = await invoiceWithRequest('open', { requestedAt: at })
      await t.db
        .updateTable('saas_invoices')
        .set({ source_created: sourceCreated })
        .where('id', '=', id)
        .execute()
      return (await pendingIds(id, later)).length === 0
    }

    expect(await answeredAt(T0)).toBe(true)
    expect(await answeredAt(new Date(T0.getTime() - 5000))).toBe(true)
    expect(await answeredAt(new Date(T0.getTime() - 6000))).toBe(false)
  })

  it('waits while Stripe is being asked, and not once Stripe refused or could not be reached', async () => {
    const later = new Date(T0.getTime() + 60_000)
    const sending = await invoiceWithRequest('open', { stripeStatus: 'sending' })
    const refused = await invoiceWithRequest('open', { stripeStatus: 'refused' })
    const unreachable = await invoiceWithRequest('open', { stripeStatus: 'unreachable' })

    expect(await pendingIds(sending, later)).toEqual([sending])
    expect(await pendingIds(refused, later)).toEqual([])
    expect(await pendingIds(unreachable, later)).toEqual([])
  })
})
