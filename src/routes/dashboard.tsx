import { Hono } from 'hono'
import { dashboardModel, TREND_DAYS } from '../dashboard/tiles.js'
import { addDays, readKpiHistory, utcDay } from '../db/kpi-daily.js'
import { readKpis } from '../db/kpis.js'
import { DashboardPage } from '../views/dashboard/dashboard-page.js'
import type { AppEnv } from '../web/env.js'
import { requirePermission } from '../web/guards.js'

// The dashboard at / (issue 10 item 2; seeds 000, 002, 003): every role. Two statements whatever
// the fleet's size — the live KPIs and the stored days — both scoped by the customer picker.

export const dashboardRoutes = new Hono<AppEnv>()

dashboardRoutes.get('/', requirePermission('saas.dashboard.view'), async (c) => {
  const now = c.var.now()
  const scope = c.var.scope
  // One day more than the trend: storage growth compares with the day 30 days ago.
  const from = addDays(utcDay(now), -TREND_DAYS)
  const [kpis, history] = await Promise.all([
    readKpis(c.var.db, scope.filter, now),
    readKpiHistory(c.var.db, scope.filter, from),
  ])
  const model = dashboardModel({ kpis, history, tenant: scope.tenant, now })
  const title = scope.tenant ? `Dashboard: ${scope.tenant.name}` : 'Dashboard'
  return c.render(<DashboardPage model={model} />, { title })
})
