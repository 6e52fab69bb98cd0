import { Hono } from 'hono'
import { z } from 'zod'
import { listPlansCached } from '../../db/plans.js'
import { adoptOrphanSchema, dropOrphanSchema } from '../../fleet/orphans.js'
import { checkSchemaNow } from '../../fleet/schema-state.js'
import { describeOnboardingFailure } from '../../tenancy/onboarding.js'
import { offeredPlans } from '../../plans/offered-plans.js'
import type { AdoptionErrors } from '../../views/fleet/schema-orphan.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { requirePermission, requireRecentTotp } from '../../web/guards.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'
import { renderSchemaPage, schemaParam, schemaStateOr404 } from './schema-context.js'

// Orphan schemas (issue 11 item 3): adopt as a new tenant (saas.fleet.run), or drop after typing
// the name — DELETE needs saas.tenants.delete (owner and admin, as deleting a tenant) and a
// step-up, since it destroys data.

export const orphanRoutes = new Hono<AppEnv>()

const email = z.email({ error: 'Enter a valid email address.' }).max(320)
const adoptionForm = z.object({
  name: z.string().trim().min(1, { error: 'Enter a name.' }).max(200),
  planId: z.string().min(1, { error: 'Choose a plan.' }).max(40),
  billingEmail: email,
  firstAdminEmail: email,
  firstAdminName: z.string().trim().min(1, { error: 'Enter the first admin’s name.' }).max(200),
})

const ADOPT_REFUSALS: Record<string, AdoptionErrors> = {
  invalid_name: { schema: 'No valid slug maps to this schema name: it cannot be adopted.' },
  schema_missing: { schema: 'The schema no longer exists.' },
  slug_taken: { schema: 'A tenant owns this schema now: nothing was done.' },
  plan_unavailable: { planId: 'That plan was just archived; choose another.' },
}

orphanRoutes.post('/schemas/:schema/adoption', requirePermission('saas.fleet.run'), async (c) => {
  const state = await schemaStateOr404(c, schemaParam(c))
  const raw = await formFields(c)
  const parsed = adoptionForm.safeParse(raw)
  const errors: AdoptionErrors = {}
  if (!parsed.success)
    for (const i of parsed.error.issues) errors[i.path[0] as keyof AdoptionErrors] ??= i.message
  const plans = await listPlansCached(c.var.db)
  if (parsed.success && !offeredPlans(plans).some((p) => p.id === parsed.data.planId))
    errors.planId = 'Choose one of the plans.'
  if (!parsed.success || Object.keys(errors).length > 0)
    return renderSchemaPage(c, state, { adoptValues: raw, adoptErrors: errors }, 422)
  const options = { migrationDirs: c.var.deps.config.tenantMigrationDirs }
  const result = await adoptOrphanSchema(
    c.var.db,
    auditContext(c),
    state.schema,
    parsed.data,
    options,
    c.var.now(),
  )
  if (!result.ok)
    return renderSchemaPage(
      c,
      state,
      { adoptValues: raw, adoptErrors: ADOPT_REFUSALS[result.reason] },
      422,
    )
  const { tenant, onboarding } = result
  // The new tenant's health is known at once, not at the next nightly check.
  await checkSchemaNow(c.var.db, c.var.deps.config, state.schema, tenant)
  await setFlash(
    c,
    onboarding.ok
      ? { kind: 'success', text: `Schema ${state.schema} adopted as tenant ${tenant.slug}.` }
      : {
          kind: 'error',
          text: `Tenant ${tenant.slug} created, but onboarding ${describeOnboardingFailure(onboarding)}`,
        },
  )
  return redirectTo(c, `/tenants/${tenant.id}`)
})

const DROP_REFUSALS = {
  invalid_name: 'This is not a tenant schema name.',
  name_mismatch: 'Type the schema name exactly to drop it.',
  schema_missing: 'The schema no longer exists.',
  owned: 'A tenant owns this schema now: it was not dropped.',
}

orphanRoutes.delete(
  '/schemas/:schema',
  requirePermission('saas.tenants.delete'),
  requireRecentTotp,
  async (c) => {
    const state = await schemaStateOr404(c, schemaParam(c))
    const { confirmName = '' } = await formFields(c)
    const result = await dropOrphanSchema(c.var.db, auditContext(c), state.schema, confirmName)
    if (!result.ok)
      return renderSchemaPage(c, state, { dropError: DROP_REFUSALS[result.reason] }, 422)
    await setFlash(c, {
      kind: 'success',
      text: `Schema ${state.schema} dropped (${result.tables} tables, ${result.bytes} bytes).`,
    })
    return redirectTo(c, '/fleet')
  },
)
