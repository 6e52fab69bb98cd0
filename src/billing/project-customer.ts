import type { Db } from '../db/database.js'
import {
  attributeBillingCustomer,
  ensureBillingCustomer,
  findCustomerMatch,
  setBillingCustomerCard,
  updateBillingCustomer,
} from '../db/billing-customer-writes.js'
import { readCard, readCustomer, idOf } from './stripe-shapes.js'
import { refreshTenantBilling } from './tenant-billing-refresh.js'

type Event = { type: string; created: Date; object: Record<string, unknown> }

/**
 * customer.created / updated / deleted: the customer's fields (unless a newer event was applied),
 * then the matcher (link, metadata.tenant_id, billing email) decides its tenant (a customer
 * matched by email keeps its tenant unless a link or its metadata names another); when that
 * changes, its subscriptions, invoices and movements follow and both tenants' columns refresh.
 */
export async function projectCustomer(trx: Db, event: Event): Promise<void> {
  const customer = readCustomer(event.object, event.type)
  const current = await ensureBillingCustomer(trx, customer.id)
  const applied = await updateBillingCustomer(trx, customer, event.created)
  if (!applied) return
  const match = await findCustomerMatch(trx, customer)
  if (match.tenantId === current.tenantId && match.matchedBy === current.matchedBy) return
  // Matched by email once, it stays: a later change of its email moves it only when a link or
  // its metadata names a tenant (an email typo must not hand its billing to another tenant).
  if (current.matchedBy === 'email' && match.matchedBy !== 'link' && match.matchedBy !== 'metadata')
    return
  await attributeBillingCustomer(trx, customer.id, match)
  await refreshTenantBilling(trx, current.tenantId, match.tenantId)
}

/**
 * payment_method.attached: a card attached to a customer becomes its card on file (brand, last4,
 * expiry) when it is the customer's default or it has none, unless a newer card event was applied
 * (see setBillingCustomerCard). Non-card methods and methods without a customer change nothing.
 */
export async function projectPaymentMethod(trx: Db, event: Event): Promise<void> {
  const customerId = idOf(event.object.customer)
  const card = readCard(event.object)
  if (!customerId || !card) return
  await ensureBillingCustomer(trx, customerId)
  await setBillingCustomerCard(trx, customerId, String(event.object.id), card, event.created)
}
