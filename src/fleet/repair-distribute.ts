import type { AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { refuse, type Refusal } from '../domain-result.js'
import { citusVersion, distributeTenantSchema, isSchemaDistributed } from './citus.js'
import { lockSchema, schemaExists } from './repair-catalog.js'
import {
  attempt,
  audit,
  lockLiveTenant,
  repairableTenant,
  type Failed,
  type Gone,
} from './repair.js'

// The repair of fleet health's `schema_not_distributed` finding (issue 13 item 3): a tenant
// schema left local on the Citus coordinator (created while citus.enable_schema_based_sharding
// was off, or before Fleetdeck distributed at onboarding) is distributed with
// citus_schema_distribute. Citus propagates it with two-phase commit, so the audit entry shares
// its transaction like every other repair's.

/**
 * Distributes the tenant's schema when Citus is present and it is local, in ONE transaction with
 * its audit entry `fleet.repair.distribute` (before `{distributed:false}`, after
 * `{distributed:true}`), under the tenant row's share lock and the schema's advisory lock (a
 * migration or another repair waits). Already distributed: a success that changes and audits
 * nothing (`distributed: false`).
 * @returns refusals: not_found, tenant_deleted, schema_missing, no_citus (plain PostgreSQL or
 *   the embedded database); `failed` with Citus's error, audited as a failed attempt
 */
export async function distributeSchema(
  db: Db,
  context: AuditContext,
  tenantId: string,
): Promise<
  { ok: true; distributed: boolean } | Gone | Refusal<'schema_missing' | 'no_citus'> | Failed
> {
  const tenant = await repairableTenant(db, tenantId)
  if ('ok' in tenant) return tenant
  const schema = tenantSchemaName(tenant.slug)
  if (!(await schemaExists(db, schema))) return refuse('schema_missing')
  if (!(await citusVersion(db))) return refuse('no_citus')
  if (await isSchemaDistributed(db, schema)) return { ok: true, distributed: false }
  const before = { distributed: false }
  const done = await attempt(db, context, tenant, 'distribute', before, () =>
    db.transaction().execute(async (trx) => {
      await lockLiveTenant(trx, tenant.id)
      await lockSchema(trx, schema)
      const outcome = await distributeTenantSchema(trx, schema)
      if (outcome === 'distributed')
        await audit(trx, context, tenant, 'distribute', before, { distributed: true })
      return outcome === 'distributed'
    }),
  )
  return done.ok ? { ok: true, distributed: done.value } : done
}
