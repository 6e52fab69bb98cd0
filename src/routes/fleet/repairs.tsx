import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { repairLossFree } from '../../fleet/repair-all.js'
import { repairDrift, type RepairOutcome } from '../../fleet/repair-schema.js'
import {
  applyPendingMigrations,
  recreateTenantSchema,
  reseedTenantRoles,
} from '../../fleet/repair.js'
import { describeRepairRefusal } from '../../fleet/repair-all.js'
import { distributeSchema } from '../../fleet/repair-distribute.js'
import { findingKey } from '../../views/fleet/schema-page.js'
import type { AppEnv } from '../../web/env.js'
import { requirePermission } from '../../web/guards.js'
import { auditContext, formFields } from '../../web/request.js'
import { orphanRoutes } from './orphans.js'
import { afterRepair, renderSchemaPage, schemaParam, schemaStateOr404 } from './schema-context.js'

// Repair of one tenant schema (issue 11 item 3), under /fleet: the schema page, and its repairs
// as a nested resource. Adoption and dropping of orphans: ./orphans.tsx.

export const fleetRepairRoutes = new Hono<AppEnv>()

const repairForm = z.object({
  repair: z.enum(['all', 'recreate', 'migrate', 'roles', 'distribute', 'finding']),
  finding: z.string().max(300).optional(),
})

fleetRepairRoutes.get('/schemas/:schema', requirePermission('saas.system.view'), async (c) => {
  const state = await schemaStateOr404(c, schemaParam(c))
  return renderSchemaPage(c, state)
})

fleetRepairRoutes.post(
  '/schemas/:schema/repairs',
  requirePermission('saas.fleet.run'),
  async (c) => {
    const schema = schemaParam(c)
    const parsed = repairForm.safeParse(await formFields(c))
    if (!parsed.success) throw new HTTPException(400, { message: 'Malformed repair request.' })
    const state = await schemaStateOr404(c, schema)
    if (!state.tenant)
      return renderSchemaPage(
        c,
        state,
        { repairError: 'No tenant owns this schema: adopt or drop it.' },
        422,
      )
    const context = auditContext(c)
    const options = { migrationDirs: c.var.deps.config.tenantMigrationDirs }
    const id = state.tenant.id
    const { repair, finding } = parsed.data
    let outcomes: RepairOutcome[]
    if (repair === 'all') outcomes = await repairLossFree(c.var.db, context, state, options)
    else if (repair === 'finding') {
      const chosen = state.findings.find((f) => findingKey(f) === finding)
      if (!chosen)
        return renderSchemaPage(
          c,
          state,
          { repairError: 'That finding is no longer reported: nothing was done.' },
          422,
        )
      if (state.tenant.status === 'deleted')
        return renderSchemaPage(
          c,
          state,
          { repairError: 'The tenant is deleted: restore it first. Nothing was done.' },
          422,
        )
      const target = { schema, tenantId: id }
      outcomes = await repairDrift(c.var.db, context, target, [chosen], options.migrationDirs)
    } else {
      const verb = {
        recreate: recreateTenantSchema,
        migrate: applyPendingMigrations,
        roles: reseedTenantRoles,
        distribute: distributeSchema,
      }[repair]
      const result = await verb(c.var.db, context, id, options)
      const message = result.ok ? 'done' : describeRepairRefusal(result)
      outcomes = [{ finding: LABELS[repair], done: result.ok, message }]
    }
    return afterRepair(c, state, outcomes)
  },
)

const LABELS = {
  recreate: 'Recreate schema',
  migrate: 'Apply pending migrations',
  roles: 'Re-seed roles',
  distribute: 'Distribute schema',
}

fleetRepairRoutes.route('/', orphanRoutes)
