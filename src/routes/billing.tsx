import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { roleCan } from '../auth/permissions.js'
import { linkBillingCustomer } from '../billing/link-customer.js'
import { churnSummary, monthStart } from '../billing/mrr.js'
import { listDunningSubscriptions, listRenewals } from '../db/billing-attention.js'
import { countFailedStripeEvents } from '../db/stripe-events.js'
import { findReprocessFence } from '../db/billing-reprocess-fence.js'
import {
  countUnpricedSubscriptions,
  hasBillingData,
  listLostMovements,
  summarizeRevenue,
  sumMovementsByMonth,
} from '../db/billing-overview.js'
import { listPlanSubscriptions, listUnmatchedCustomers } from '../db/billing-plans.js'
import { findTenantBySlug } from '../db/tenants.js'
import { BillingPage, type CurrencyOverview } from '../views/billing/billing-page.js'
import type { LinkError } from '../views/billing/billing-plans.js'
import { buildMovementMonths, monthsBack } from '../views/billing/movement-months.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { requirePermission, requireRecentTotp } from '../web/guards.js'
import { auditContext, formFields, redirectTo } from '../web/request.js'

// /billing (issue 12 item 4): revenue per currency with 12 months of movements, churn this month,
// dunning, renewals, plans, and unmatched Stripe customers with their link to a tenant (owner,
// admin: saas.billing.edit, step-up; the ingest's linkBillingCustomer writes and audits it).

const linkForm = z.object({ slug: z.string().trim().min(1).max(40) })
const GONE = 'No such Stripe customer.'
const LINK_REFUSALS = {
  already_matched: 'This customer is already linked to a tenant.',
  no_tenant: 'No tenant has this slug.',
} as const

export const billingRoutes = new Hono<AppEnv>()

billingRoutes.get('/', requirePermission('saas.billing.view'), (c) => renderBilling(c))

billingRoutes.post(
  '/customers/:customerId/tenant',
  requirePermission('saas.billing.edit'),
  requireRecentTotp,
  async (c) => {
    const db = c.var.db
    const customerId = c.req.param('customerId')
    const raw = await formFields(c)
    const refuse = (message: string) =>
      renderBilling(c, { customerId, slug: raw.slug ?? '', message })
    const parsed = linkForm.safeParse(raw)
    if (!parsed.success) return refuse('Enter the slug of the tenant this customer belongs to.')
    // The slug names the tenant; whether it is live, and the customer unlinked and not deleted,
    // the verb decides under the customer's lock in its transaction.
    const tenant = await findTenantBySlug(db, parsed.data.slug)
    if (!tenant) return refuse(LINK_REFUSALS.no_tenant)
    const input = { customerId, tenantId: tenant.id }
    const result = await linkBillingCustomer(db, auditContext(c), input, c.var.now())
    if (result.ok === false) {
      if (result.reason === 'no_customer') throw new HTTPException(404, { message: GONE })
      return refuse(LINK_REFUSALS[result.reason])
    }
    await setFlash(c, {
      kind: 'success',
      text: `Linked ${customerId} to ${tenant.name}: its subscriptions and invoices count for it now.`,
    })
    return redirectTo(c, '/billing')
  },
)

/** The page, or with `linkError` the page again at 422 with the message by that customer's field. */
async function renderBilling(c: Context<AppEnv>, linkError?: LinkError) {
  const db = c.var.db
  const scope = c.var.scope.filter
  const now = c.var.now()
  const thisMonth = monthStart(now)
  const showUnmatched = !scope.tenantId || linkError !== undefined
  const [hasData, revenue, movements, lost, dunning, renewals, plans, unmatched, warnings] =
    await Promise.all([
      hasBillingData(db),
      summarizeRevenue(db, scope),
      sumMovementsByMonth(db, scope, monthsBack(now, 11)),
      listLostMovements(db, scope, thisMonth),
      listDunningSubscriptions(db, scope),
      listRenewals(db, scope, now),
      listPlanSubscriptions(db, scope, thisMonth),
      showUnmatched ? listUnmatchedCustomers(db) : undefined,
      Promise.all([
        countFailedStripeEvents(db),
        countUnpricedSubscriptions(db, scope),
        findReprocessFence(db),
      ]),
    ])
  const codes = new Set([...revenue.map((r) => r.currency), ...movements.map((m) => m.currency)])
  const currencies: CurrencyOverview[] = [...codes].map((currency) => {
    const r = revenue.find((x) => x.currency === currency)
    return {
      currency,
      mrrCents: r?.mrrCents ?? 0,
      paying: r?.paying ?? 0,
      months: buildMovementMonths(movements, currency, now),
      churn: churnSummary(lost.filter((m) => m.currency === currency)),
    }
  })
  if (linkError) c.status(422)
  const page = {
    hasData,
    scopeName: c.var.scope.tenant?.name,
    currencies,
    churned: lost.filter((m) => m.kind === 'churn'),
    ...{ dunning, renewals, plans, unmatched, linkError, now },
    failedEvents: warnings[0],
    reprocessSince: warnings[2],
    unpricedSubscriptions: warnings[1],
    canEdit: roleCan(c.var.operator.role, 'saas.billing.edit'),
  }
  return c.render(<BillingPage {...page} />, { title: 'Billing' })
}
