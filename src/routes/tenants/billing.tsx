import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type Stripe from 'stripe'
import { z } from 'zod'
import { roleCan } from '../../auth/permissions.js'
import {
  PAYMENT_MODES,
  requestInvoicePayment,
  type InvoicePaymentResult,
} from '../../billing/invoice-actions.js'
import { createStripeClient } from '../../billing/stripe-client.js'
import type { Config } from '../../config.js'
import { listPendingBillingRequests } from '../../db/billing-requests.js'
import {
  findInvoice,
  listTenantCustomers,
  listTenantInvoices,
  listTenantSubscriptions,
} from '../../db/tenant-billing.js'
import { findTenantById, type Tenant } from '../../db/tenants.js'
import { TenantBillingPage } from '../../views/billing/tenant-billing-page.js'
import { formatDateTime } from '../../views/format.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { requirePermission, requireRecentTotp } from '../../web/guards.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'

// /tenants/:id/billing (issue 12 items 4–5): the tenant's Billing tab, and the two requests an
// admin makes of Stripe for an open invoice. The projection is never written here: it changes when
// Stripe's webhook reports the payment, and until then the invoice says "waiting for Stripe".

const INVOICES_SHOWN = 24

const tabQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() })
const paymentForm = z.object({ mode: z.enum(PAYMENT_MODES) })

export const tenantBillingRoutes = new Hono<AppEnv>()

async function tenantOr404(c: Context<AppEnv>): Promise<Tenant> {
  const tenant = await findTenantById(c.var.db, c.req.param('id') ?? '')
  if (!tenant) throw new HTTPException(404, { message: 'No such tenant.' })
  return tenant
}

const clients = new WeakMap<Config, Stripe | undefined>()

/** One SDK client per configuration; undefined without STRIPE_SECRET_KEY. */
function stripeOf(config: Config): Stripe | undefined {
  if (!clients.has(config)) clients.set(config, createStripeClient(config))
  return clients.get(config)
}

tenantBillingRoutes.get('/', requirePermission('saas.billing.view'), async (c) => {
  const tenant = await tenantOr404(c)
  const query = tabQuery.safeParse(c.req.query())
  if (!query.success) throw new HTTPException(400, { message: 'Malformed invoice limit.' })
  return renderTab(c, tenant, query.data.limit ?? INVOICES_SHOWN)
})

async function renderTab(
  c: Context<AppEnv>,
  tenant: Tenant,
  limit: number,
  actionError?: { invoiceId: string; message: string },
) {
  const db = c.var.db
  const now = c.var.now()
  const [subscriptions, customers, page] = await Promise.all([
    listTenantSubscriptions(db, tenant.id),
    listTenantCustomers(db, tenant.id),
    listTenantInvoices(db, tenant.id, limit),
  ])
  const ids = page.invoices.map((i) => i.id)
  const pending = await listPendingBillingRequests(db, ids, now)
  const invoices = {
    ...page,
    nextLimit: Math.min(1000, limit * 2),
    pending,
    canEdit: roleCan(c.var.operator.role, 'saas.billing.edit'),
    stripeConfigured: !!c.var.deps.config.stripeSecretKey,
    actionError,
  }
  const props = { tenant, subscriptions, customers, invoices, now }
  return c.render(<TenantBillingPage {...props} />, { title: `Billing of ${tenant.name}` })
}

tenantBillingRoutes.post(
  '/invoices/:invoiceId/payment',
  requirePermission('saas.billing.edit'),
  requireRecentTotp,
  async (c) => {
    const tenant = await tenantOr404(c)
    const invoiceId = c.req.param('invoiceId')
    const invoice = await findInvoice(c.var.db, invoiceId)
    if (!invoice || invoice.tenantId !== tenant.id)
      throw new HTTPException(404, { message: 'No such invoice of this tenant.' })
    // The mode is a hidden field of the two buttons: anything else is a malformed request.
    const form = paymentForm.safeParse(await formFields(c))
    if (!form.success) throw new HTTPException(400, { message: 'Malformed payment mode.' })
    const { config } = c.var.deps
    const input = { tenantId: tenant.id, invoiceId, mode: form.data.mode }
    const result = await requestInvoicePayment(
      c.var.db,
      auditContext(c),
      stripeOf(config),
      input,
      c.var.now(),
    )
    if (!result.ok && result.reason === 'invoice_not_found')
      throw new HTTPException(404, { message: 'No such invoice of this tenant.' })
    if (!result.ok && result.reason === 'stripe_unreachable')
      c.var.log.warn(
        {
          invoiceId,
          stripeRequestId: result.stripeRequestId,
          errorType: result.errorType,
          detail: result.detail,
        },
        'Stripe gave no usable answer to an invoice payment request',
      )
    await setFlash(c, paymentFlash(form.data.mode, result))
    return redirectTo(c, `/tenants/${tenant.id}/billing#invoices`)
  },
)

function paymentFlash(mode: 'out_of_band' | 'retry', result: InvoicePaymentResult) {
  if (!result.ok) return { kind: 'error' as const, text: refusalText(result) }
  const asked =
    mode === 'out_of_band'
      ? `mark ${result.invoiceNumber} paid out of band`
      : `retry the charge of ${result.invoiceNumber}`
  return {
    kind: 'success' as const,
    text: `Requested: ${asked}. Waiting for Stripe's webhook to confirm.`,
  }
}

function refusalText(result: Exclude<InvoicePaymentResult, { ok: true }>): string {
  switch (result.reason) {
    case 'stripe_not_configured':
      return 'Stripe is not configured on this server (STRIPE_SECRET_KEY): nothing was requested.'
    case 'invoice_not_found':
      return 'No such invoice of this tenant: nothing was requested.'
    case 'invoice_not_open':
      return `The invoice is ${result.status}; only an open invoice can be paid. Nothing was requested.`
    case 'already_requested':
      return `${result.requestedByEmail} already asked at ${formatDateTime(result.requestedAt)}; still waiting for Stripe. Nothing was requested again.`
    case 'stripe_refused':
      return `Stripe refused: ${result.message} Nothing changed.`
    case 'stripe_unreachable':
      return `Stripe could not be reached or refused the key (request id ${result.stripeRequestId ?? 'none'}). Nothing changed; the details are in the server log.`
  }
}
