import { Hono } from 'hono'
import { roleCan } from '../auth/permissions.js'
import { readBillingToday } from '../db/billing-today.js'
import { dashboardModel, TREND_DAYS } from '../dashboard/tiles.js'
import { addDays, readKpiHistory, utcDay } from '../db/kpi-daily.js'
import { readKpis } from '../db/kpis.js'
import { DashboardPage } from '../views/dashboard/dashboard-page.js'
import type { AppEnv } from '../web/env.js'
import { requirePermission } from '../web/guards.js'

// The dashboard at / (issue 10 item 2; seeds 000, 002, 003): every role. Three statements whatever
// the fleet's size — the live KPIs, the stored days and revenue today (issue 12, for holders of
// saas.billing.view) — all scoped by the customer picker.

export const dashboardRoutes = new Hono<AppEnv>()

dashboardRoutes.get('/', requirePermission('saas.dashboard.view'), async (c) => {
  const now = c.var.now()
  const scope = c.var.scope
  // One day more than the trend: storage growth compares with the day 30 days ago.
  const from = addDays(utcDay(now), -TREND_DAYS)
  const seesBilling = roleCan(c.var.operator.role, 'saas.billing.view')
  const [kpis, history, billing] = await Promise.all([
    readKpis(c.var.db, scope.filter, now),
    readKpiHistory(c.var.db, scope.filter, from),
    seesBilling ? readBillingToday(c.var.db, scope.filter, dayStart(now)) : undefined,
  ])
  const model = dashboardModel({ kpis, history, tenant: scope.tenant, billing, now })
  const title = scope.tenant ? `Dashboard: ${scope.tenant.name}` : 'Dashboard'
  return c.render(<DashboardPage model={model} />, { title })
})

/** 00:00 UTC of `now`'s day: "today" on the revenue tiles. */
function dayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
}
