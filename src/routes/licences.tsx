import { Hono } from 'hono'
import { roleCan } from '../auth/permissions.js'
import { sumStripeMrrByPlan } from '../db/billing-plan-mrr.js'
import { countTenantsByPlanAndStatus, listQuotaPressure } from '../db/licences.js'
import { listPlans } from '../db/plans.js'
import { listPriceMrr } from '../plans/list-price-mrr.js'
import { LicencesPage } from '../views/licences/licences-page.js'
import type { AppEnv } from '../web/env.js'
import { requirePermission } from '../web/guards.js'

// /licences (issue 9 item 2, seeds/000): who is on which plan, MRR by plan from Stripe (issue 12)
// with list-price MRR as the fallback, and who is over or near a quota with a one-click plan
// change (POST /tenants/:id/plan). Five statements whatever the fleet size, all scoped by the
// customer picker.

/** Rows shown per quota list; the heading gives the full count. */
const QUOTA_ROWS = 100

export const licenceRoutes = new Hono<AppEnv>()

licenceRoutes.get('/', requirePermission('saas.tenants.view'), async (c) => {
  const db = c.var.db
  const scope = c.var.scope.filter
  const now = c.var.now()
  const [plans, counts, over, near, stripeMrr] = await Promise.all([
    listPlans(db),
    countTenantsByPlanAndStatus(db, scope),
    listQuotaPressure(db, scope, 'over', now, QUOTA_ROWS),
    listQuotaPressure(db, scope, 'near', now, QUOTA_ROWS),
    sumStripeMrrByPlan(db, scope),
  ])
  // Archived plans get a bar only while tenants still hold them.
  const bars = plans
    .map((plan) => ({
      planId: plan.id,
      label: plan.name,
      counts: Object.fromEntries(
        counts.filter((x) => x.planId === plan.id).map((x) => [x.status, x.count]),
      ),
    }))
    .filter(
      (b) => Object.keys(b.counts).length > 0 || !plans.find((p) => p.id === b.planId)!.archivedAt,
    )
  return c.render(
    <LicencesPage
      plans={plans}
      bars={bars}
      mrr={listPriceMrr(plans, counts)}
      stripeMrr={stripeMrr}
      over={over}
      near={near}
      canEdit={roleCan(c.var.operator.role, 'saas.plans.edit')}
      scopedTo={c.var.scope.tenant?.slug}
    />,
    { title: 'Licences' },
  )
})
