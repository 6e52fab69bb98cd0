import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../db/database.js'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { openCluster } from '../test-support/citus-cluster.js'
import { createTenant, newTenantFields } from '../test-support/factories.js'
import { addAwkwardRows, tempBackupDir, tenantRows } from '../test-support/schema-rows.js'
import { testConfig } from '../test-support/test-app.js'
import { changeTenantStatus } from '../tenancy/lifecycle.js'
import { backupKey, readBackupFile } from './backup-file.js'
import { backupPath, createTenantBackup } from './backups.js'
import { distributeTenantSchema, isSchemaDistributed, measureCitusSchemas } from './citus.js'
import { restoreBackupAsNewTenant } from './restore-as-new.js'
import { restoreTenantBackup } from './restore.js'

// Backups of tenant schemas Citus distributed (issue 13): pg_dump through the coordinator must
// carry the rows that live in the shards on a worker, and a restore must leave the schema
// distributed again (the replay recreates it as an ordinary schema on the coordinator).

const config = testConfig({ BACKUP_DIR: tempBackupDir() })
const context = { actor: null, requestId: 'req-citus-backup' }

describe
  .skipIf(!process.env.TEST_CITUS_URL)
  .each(['superuser', 'sharding-on', 'app-role'] as const)(
  'backups of a distributed tenant schema (%s)',
  (mode) => {
    let database: DatabaseHandle
    let close: () => Promise<void>
    beforeAll(async () => {
      ;({ database, close } = await openCluster(mode))
    })
    afterAll(() => close?.())

    it('runs as the mode says', async () => {
      const { rows } = await sql<{ sharding: string; superuser: boolean }>`
        select current_setting('citus.enable_schema_based_sharding') as sharding,
          (select rolsuper from pg_roles where rolname = current_user) as superuser`.execute(
        database.db,
      )
      expect(rows[0]).toEqual({
        sharding: mode === 'sharding-on' ? 'on' : 'off',
        superuser: mode !== 'app-role',
      })
    })

    async function distributedTenant() {
      const tenant = await createTenant(database.db)
      const schema = tenantSchemaName(tenant.slug)
      await distributeTenantSchema(database.db, schema)
      await addAwkwardRows(database.db, tenant.slug, 700)
      const made = await createTenantBackup(database, config, context, tenant.id, 'manual')
      if (!made.ok) throw new Error(made.reason)
      return {
        tenant,
        schema,
        backup: made.backup,
        rows: await tenantRows(database.db, tenant.slug),
      }
    }

    async function coordinatorHeapBytes(schema: string) {
      const { rows } = await sql<{ bytes: number }>`
      select coalesce(sum(pg_relation_size(c.oid)), 0)::bigint as bytes from pg_class c
      where c.relnamespace = to_regnamespace(${schema}) and c.relkind = 'r'`.execute(database.db)
      return rows[0]!.bytes
    }

    it('holds the rows of the shards on the worker', async () => {
      const { schema, backup } = await distributedTenant()
      expect((await measureCitusSchemas(database.db, [schema])).get(schema)?.node).toMatch(/:\d+$/)
      const read = await readBackupFile(
        backupPath(config, backup),
        backupKey(config.secretKey),
        backup.sha256,
      )
      if (!read.ok) throw new Error(read.reason)
      expect(read.sql).toContain(`INSERT INTO ${schema}.attachments`)
      expect(read.sql.match(/\(\d+, '[^']*Zürich/g)?.length).toBeGreaterThan(100)
    })

    it('restores into the tenant schema, distributed again with the same rows', async () => {
      const { tenant, schema, backup, rows } = await distributedTenant()
      await changeTenantStatus(database.db, context, tenant.id, 'suspend')
      const input = { tenantId: tenant.id, backupId: backup.id, typedSlug: tenant.slug }

      const result = await restoreTenantBackup(database, config, context, input)

      if (!result.ok) throw new Error(result.reason)
      expect(await tenantRows(database.db, tenant.slug)).toEqual(rows)
      expect(await isSchemaDistributed(database.db, schema)).toBe(true)
      expect((await measureCitusSchemas(database.db, [schema])).get(schema)?.bytes).toBeGreaterThan(
        0,
      )
    })

    it('restores as a new tenant, distributed, the source untouched', async () => {
      const { tenant, schema, backup, rows } = await distributedTenant()
      const fields = newTenantFields()

      const result = await restoreBackupAsNewTenant(database, config, context, backup.id, fields)

      if (!result.ok) throw new Error(result.reason)
      expect(result.tenant.status).toBe('active')
      const copy = tenantSchemaName(fields.slug)
      expect(await isSchemaDistributed(database.db, copy)).toBe(true)
      expect(await isSchemaDistributed(database.db, schema)).toBe(true)
      expect(await tenantRows(database.db, tenant.slug)).toEqual(rows)
      const { audit_log: _, ...copied } = await tenantRows(database.db, fields.slug)
      const { audit_log: __, ...source } = rows
      expect(copied).toEqual(source)
    })
  },
)
