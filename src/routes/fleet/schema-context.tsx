import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { roleCan } from '../../auth/permissions.js'
import { listPlansCached } from '../../db/plans.js'
import type { RepairOutcome } from '../../fleet/repair-schema.js'
import { FLEET_CHECK_RUNNING, FLEET_CHECK_RUNNING_TEXT } from '../../fleet/reference-shapes.js'
import { isTenantSchemaName } from '../../fleet/schema-names.js'
import { checkSchemaNow, readSchemaState, type SchemaState } from '../../fleet/schema-state.js'
import { SchemaPage, type SchemaPageProps } from '../../views/fleet/schema-page.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { auditContext, redirectTo } from '../../web/request.js'

// What the /fleet/schemas/:schema handlers share: the checked name, the state, the page, and
// the re-check and flash after a repair (issue 11 item 3).

/**
 * The `:schema` parameter, checked against TENANT_SCHEMA_PATTERN before anything reads it:
 * anything else is a 404 (no such schema page), never SQL.
 */
export function schemaParam(c: Context<AppEnv>): string {
  const schema = c.req.param('schema') ?? ''
  if (!isTenantSchemaName(schema)) throw new HTTPException(404, { message: 'No such schema.' })
  return schema
}

/** The schema's state; 404 when it neither exists nor belongs to a tenant. */
export async function schemaStateOr404(c: Context<AppEnv>, schema: string): Promise<SchemaState> {
  const state = await readSchemaState(c.var.db, schema, c.var.deps.config.tenantMigrationDirs)
  if (!state.exists && !state.tenant) throw new HTTPException(404, { message: 'No such schema.' })
  return state
}

/** The schema page with `extra` (errors, values), at `status`. */
export async function renderSchemaPage(
  c: Context<AppEnv>,
  state: SchemaState,
  extra: Partial<SchemaPageProps> = {},
  status: 200 | 422 = 200,
) {
  const role = c.var.operator.role
  const props: SchemaPageProps = {
    state,
    plans: await listPlansCached(c.var.db),
    canRun: roleCan(role, 'saas.fleet.run'),
    canDrop: roleCan(role, 'saas.tenants.delete'),
    ...extra,
  }
  c.status(status)
  return c.render(<SchemaPage {...props} />, { title: state.schema })
}

/** Re-checks the schema (stores a tenant's result), flashes what was done, back to the page. */
export async function afterRepair(
  c: Context<AppEnv>,
  state: SchemaState,
  outcomes: RepairOutcome[],
) {
  const { db, deps } = c.var
  const checked = await checkSchemaNow(db, deps.config, state.schema, state.tenant, auditContext(c))
  const lines = outcomes.map((o) => `${o.finding}: ${o.done ? 'done' : 'refused'} — ${o.message}`)
  const health =
    checked === FLEET_CHECK_RUNNING
      ? ` ${FLEET_CHECK_RUNNING_TEXT}`
      : checked
        ? ` The schema is now ${checked.health}.`
        : ''
  await setFlash(c, {
    kind: outcomes.every((o) => o.done) ? 'success' : 'error',
    text: `${lines.join(' · ') || 'Nothing to repair.'}${health}`,
  })
  return redirectTo(c, `/fleet/schemas/${state.schema}`)
}
