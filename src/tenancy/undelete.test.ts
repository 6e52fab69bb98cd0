import { describe, expect, it } from 'vitest'
import { auditEntries, countRows } from '../test-support/database-state.js'
import { deleteTestTenant } from '../test-support/deletion.js'
import { createTenant } from '../test-support/factories.js'
import { addAwkwardRows, tempBackupDir, tenantRows } from '../test-support/schema-rows.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { setTenantProtection } from './protection.js'
import { undeleteTenant } from './undelete.js'

const t = useTestDatabase()
const config = testConfig({ BACKUP_DIR: tempBackupDir() })
const context = { actor: null, requestId: 'req-undelete' }
const T1 = new Date('2026-12-01T10:00:00.000Z')
const DAY = 86_400_000
const at = (days: number) => new Date(T1.getTime() + days * DAY)

describe('undeleteTenant', () => {
  it('within the grace period brings the tenant back suspended, data and memberships intact', async () => {
    const tenant = await createTenant(t.db)
    await addAwkwardRows(t.db, tenant.slug, 10)
    const rows = await tenantRows(t.db, tenant.slug)
    await deleteTestTenant(t.database, tenant.id, { config, now: T1 })

    const result = await undeleteTenant(t.db, context, tenant.id, at(13))

    expect(result).toMatchObject({
      ok: true,
      tenant: { status: 'suspended', deletedAt: null, purgeAfter: null, suspendedAt: at(13) },
    })
    expect(await tenantRows(t.db, tenant.slug)).toEqual(rows)
    const members = await t.db
      .selectFrom('memberships')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .execute()
    expect(members).toHaveLength(1)
    expect((await auditEntries(t.db, 'tenant.undelete')).at(-1)).toMatchObject({
      tenant_id: tenant.id,
      before: { status: 'deleted', purgeAfter: at(14).toISOString() },
      after: { status: 'suspended', purgeAfter: null },
    })
  })

  it('refuses once purge_after is reached: the purge is due, and writes nothing', async () => {
    const tenant = await createTenant(t.db)
    await deleteTestTenant(t.database, tenant.id, { config, now: T1 })
    const audit = await countRows(t.db, 'audit_log')

    expect(await undeleteTenant(t.db, context, tenant.id, at(14))).toEqual({
      ok: false,
      reason: 'purge_due',
    })
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
  })

  it('refuses a purged tenant, naming when it was purged when that was audited', async () => {
    const tenant = await createTenant(t.db)
    await deleteTestTenant(t.database, tenant.id, { config, now: T1 })
    await t.db
      .updateTable('tenants')
      .set({ purge_after: null })
      .where('id', '=', tenant.id)
      .execute()

    expect(await undeleteTenant(t.db, context, tenant.id, at(1))).toEqual({
      ok: false,
      reason: 'purged',
      purgedAt: null,
    })
  })

  it('refuses a tenant that is not deleted', async () => {
    const tenant = await createTenant(t.db)
    expect(await undeleteTenant(t.db, context, tenant.id, T1)).toEqual({
      ok: false,
      reason: 'not_deleted',
    })
  })
})

describe('setTenantProtection', () => {
  it('protects and unprotects, audited with before and after; a repeat changes nothing', async () => {
    const tenant = await createTenant(t.db)

    expect(await setTenantProtection(t.db, context, tenant.id, true, T1)).toMatchObject({
      ok: true,
      tenant: { protected: true },
    })
    const audit = await countRows(t.db, 'audit_log')
    expect(await setTenantProtection(t.db, context, tenant.id, true, T1)).toEqual({
      ok: false,
      reason: 'unchanged',
    })
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
    await setTenantProtection(t.db, context, tenant.id, false, T1)
    const actions = await t.db
      .selectFrom('audit_log')
      .select(['action', 'before', 'after'])
      .where('tenant_id', '=', tenant.id)
      .where('action', 'like', 'tenant.%protect')
      .orderBy('seq')
      .execute()
    expect(actions).toEqual([
      { action: 'tenant.protect', before: { protected: false }, after: { protected: true } },
      { action: 'tenant.unprotect', before: { protected: true }, after: { protected: false } },
    ])
  })
})
