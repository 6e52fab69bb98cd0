import type { AuditContext } from '../db/audit-log.js'
import type { DatabaseHandle } from '../db/database.js'
import type { Tenant } from '../db/tenants.js'
import { createTenantBackup } from '../fleet/backups.js'
import { deleteTenant } from '../tenancy/deletion.js'
import type { Config } from '../config.js'
import { testConfig } from './test-app.js'

/**
 * Deletes a tenant the way the console does (issue 11 item 6): the real pre_delete backup (none
 * when the factory made no schema), then `deleted` with purge_after after the grace period.
 * Without `config`, a test config whose backups go to the system's temp directory.
 * @throws when the delete is refused: a test that wants a refusal calls deleteTenant itself
 */
export async function deleteTestTenant(
  database: DatabaseHandle,
  id: string,
  options: { context?: AuditContext; now?: Date; config?: Config } = {},
): Promise<Tenant> {
  const config = options.config ?? testConfig()
  const context = options.context ?? { actor: null }
  const now = options.now ?? new Date()
  const result = await deleteTenant(database.db, context, id, {
    graceDays: config.purgeGraceDays,
    now,
    backup: (t) => createTenantBackup(database, config, context, t.id, 'pre_delete', { now }),
  })
  if (!result.ok) throw new Error(`deleteTestTenant: refused (${result.reason})`)
  return result.tenant
}
