import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { findPlan } from '../../db/plans.js'
import { findTenantById } from '../../db/tenants.js'
import { changeTenantPlan, type PlanChangeRefusal } from '../../tenancy/plan-change.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { requirePermission, safeNextPath } from '../../web/guards.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'

// POST /tenants/:id/plan (issue 9 item 2): the licences page's one-click plan change. Every
// outcome comes back as a flash on the page the form was on; the change itself is
// src/tenancy/plan-change.ts (plan_changed_at, audit entry).

const planChangeForm = z.object({
  planId: z.string().trim().min(1).max(40),
  back: z.string().max(2000).default('/licences'),
})

export const tenantPlanRoutes = new Hono<AppEnv>()

const REFUSALS: Record<PlanChangeRefusal, (slug: string, plan: string) => string> = {
  tenant_not_found: () => 'That tenant no longer exists; nothing changed.',
  tenant_deleted: (slug) => `${slug} is deleted: its plan cannot change.`,
  plan_not_found: (_s, plan) => `There is no plan “${plan}”; nothing changed.`,
  plan_archived: (slug, plan) =>
    `${plan} is archived and takes no new tenants; ${slug} was not moved.`,
  unchanged: (slug, plan) => `${slug} is already on ${plan}; nothing changed.`,
}

tenantPlanRoutes.post('/', requirePermission('saas.plans.edit'), async (c) => {
  const tenant = await findTenantById(c.var.db, c.req.param('id') ?? '')
  if (!tenant) throw new HTTPException(404, { message: 'No such tenant.' })
  const parsed = planChangeForm.safeParse(await formFields(c))
  if (!parsed.success) throw new HTTPException(400, { message: 'Choose a plan; nothing changed.' })
  const { planId } = parsed.data
  const back = safeNextPath(parsed.data.back, '/licences')
  const result = await changeTenantPlan(c.var.db, auditContext(c), tenant.id, planId, c.var.now())
  const planName = (await findPlan(c.var.db, planId))?.name ?? planId
  if (!result.ok) {
    await setFlash(c, { kind: 'error', text: REFUSALS[result.reason](tenant.slug, planName) })
    return redirectTo(c, back)
  }
  await setFlash(c, { kind: 'success', text: `${tenant.slug} moved to ${planName}.` })
  return redirectTo(c, back)
})
