import type { Db } from '../db/database.js'
import { createTenantRecord } from '../tenancy/onboarding.js'
import { newTenantFields } from '../test-support/factories.js'
import { ingestStripeEvent, type IngestResult } from './ingest.js'
import type { StripeEvent } from './stripe-builders.js'

// Test support for the billing ingest: tenants without onboarding (their schema is not needed
// here), events ingested in-process, and the projection's rows as the assertions read them.

/** Unix seconds of a UTC date (Stripe's time unit). */
export const at = (y: number, m: number, d = 1, h = 12): number => Date.UTC(y, m - 1, d, h) / 1000

/** A tenant record (no schema), for the matcher and the tenant columns. */
export async function billingTenant(db: Db, billingEmail?: string) {
  const fields = newTenantFields(billingEmail ? { billingEmail } : {})
  const made = await createTenantRecord(db, { actor: null }, fields)
  if (!made.ok) throw new Error(made.reason)
  return made.tenant
}

/** Ingests events in the order given (each stored, then processed), as the endpoint would. */
export async function ingestAll(db: Db, ...events: StripeEvent[]): Promise<IngestResult[]> {
  const results: IngestResult[] = []
  for (const e of events) results.push(await ingestStripeEvent(db, e, new Date()))
  return results
}

export const customerRow = (db: Db, id: string) =>
  db.selectFrom('billing_customers').selectAll().where('id', '=', id).executeTakeFirst()

export const subscriptionRow = (db: Db, id: string) =>
  db.selectFrom('saas_billing').selectAll().where('subscription_id', '=', id).executeTakeFirst()

export const invoiceRow = (db: Db, id: string) =>
  db.selectFrom('saas_invoices').selectAll().where('id', '=', id).executeTakeFirst()

export const tenantBilling = (db: Db, id: string) =>
  db
    .selectFrom('tenants')
    .select(['billing_mrr_cents', 'billing_currency', 'dunning_started_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()

/** A customer's movements in time order, as `kind delta currency YYYY-MM` lines. */
export async function movementLines(db: Db, customerId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('mrr_movements')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute()
  return rows.map(
    (r) => `${r.kind} ${r.delta_cents} ${r.currency} ${r.occurred_at.toISOString().slice(0, 7)}`,
  )
}
