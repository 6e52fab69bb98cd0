import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { roleCan } from '../auth/permissions.js'
import {
  findLatestFleetCheck,
  findOpenHealthCheckRun,
  listCheckResults,
} from '../db/fleet-check-results.js'
import { TENANT_HEALTHS } from '../db/schema.js'
import { findTenantById } from '../db/tenants.js'
import { healthCheckRunSpec } from '../fleet/health-check-job.js'
import { checkOneTenantSchema } from '../fleet/health-check.js'
import {
  FLEET_CHECK_RUNNING,
  FLEET_CHECK_RUNNING_TEXT as RUNNING,
} from '../fleet/reference-shapes.js'
import { startExclusiveRun } from '../jobs/start-run.js'
import { FleetPage } from '../views/fleet/fleet-page.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { requirePermission } from '../web/guards.js'
import { auditContext, formFields, redirectTo } from '../web/request.js'

// Schema health (issue 11 item 2): /fleet shows the latest check; POST /fleet/checks starts a
// fleet check as a job, or checks one tenant now (its page's "Check now").

const fleetQuery = z.object({ health: z.union([z.literal(''), z.enum(TENANT_HEALTHS)]).optional() })
const checkForm = z.object({ tenant_id: z.uuid().optional() })

/** A query or form no page of ours sends: 400. */
function parseOr400<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input)
  if (!parsed.success) throw new HTTPException(400, { message: 'Malformed fleet request.' })
  return parsed.data
}

export const fleetRoutes = new Hono<AppEnv>()

fleetRoutes.get('/', requirePermission('saas.system.view'), async (c) => {
  const health = parseOr400(fleetQuery, c.req.query()).health || undefined
  const db = c.var.db
  const [latest, openRunId] = await Promise.all([
    findLatestFleetCheck(db),
    findOpenHealthCheckRun(db),
  ])
  const results = latest ? await listCheckResults(db, latest.id, { health }) : []
  const canRun = roleCan(c.var.operator.role, 'saas.fleet.run')
  return c.render(<FleetPage {...{ latest, results, health, canRun, openRunId }} />, {
    title: 'Fleet health',
  })
})

fleetRoutes.post('/checks', requirePermission('saas.fleet.run'), async (c) => {
  const { tenant_id: tenantId } = parseOr400(checkForm, await formFields(c))
  if (tenantId) return checkTenantNow(c, tenantId)
  const spec = healthCheckRunSpec()
  const { started, run } = await startExclusiveRun(c.var.db, auditContext(c), spec, c.var.now())
  await setFlash(
    c,
    started
      ? { kind: 'success', text: 'Health check started.' }
      : { kind: 'info', text: 'A health check is already running: here it is.' },
  )
  return redirectTo(c, `/jobs/${run.id}`)
})

/** The tenant page's "Check now": one schema, checked and stored at once (no job). */
async function checkTenantNow(c: Context<AppEnv>, tenantId: string) {
  const tenant = await findTenantById(c.var.db, tenantId)
  if (!tenant) throw new HTTPException(404, { message: 'No such tenant.' })
  const { database, config } = c.var.deps
  const result = await database.withDedicatedConnection((db) =>
    checkOneTenantSchema(db, config, tenant, c.var.now(), auditContext(c)),
  )
  await setFlash(
    c,
    result === FLEET_CHECK_RUNNING
      ? { kind: 'info', text: `${RUNNING} Nothing was checked now.` }
      : !result
        ? { kind: 'error', text: 'A deleted tenant is not checked: nothing was changed.' }
        : result.health === 'healthy'
          ? { kind: 'success', text: 'Schema checked: healthy.' }
          : { kind: 'info', text: `Schema checked: ${result.health}.` },
  )
  return redirectTo(c, `/tenants/${tenant.id}`)
}
