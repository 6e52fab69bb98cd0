import { Hono } from 'hono'
import type { AppEnv } from '../../web/env.js'

/** `/tenants/:id/billing` (issue 12 items 4–5): a tenant's subscription, invoices and card. */
export const tenantBillingRoutes = new Hono<AppEnv>()
