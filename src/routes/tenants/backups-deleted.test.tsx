import { describe, expect, it } from 'vitest'
import { listTenantBackups } from '../../db/tenant-backups.js'
import { auditEntries } from '../../test-support/database-state.js'
import { deleteTestTenant } from '../../test-support/deletion.js'
import { createTenant } from '../../test-support/factories.js'
import { postForm } from '../../test-support/requests.js'
import { tempBackupDir } from '../../test-support/schema-rows.js'
import { useTestApp } from '../../test-support/test-app.js'

// Review finding 4 (issue 11 item 5): the view hides "Back up now" on a deleted tenant, and the
// server refuses it too — a manual backup during a purge would leave its data on disk.

const t = useTestApp({ BACKUP_DIR: tempBackupDir() })

describe('"Back up now" on a deleted tenant', () => {
  it('is refused with 409 and a message, and takes no backup', async () => {
    const { cookie } = await t.signedInOwner()
    const tenant = await createTenant(t.db)
    await deleteTestTenant(t.database, tenant.id, { config: t.config })
    const before = await listTenantBackups(t.db, tenant.id)
    const audited = (await auditEntries(t.db, 'tenant.backup')).length

    const res = await postForm(t.app, `/tenants/${tenant.id}/backups`, {}, cookie)

    expect(res.status).toBe(409)
    expect(await res.text()).toContain(`${tenant.slug} is deleted: no backup was taken`)
    expect(await listTenantBackups(t.db, tenant.id)).toEqual(before)
    expect(await auditEntries(t.db, 'tenant.backup')).toHaveLength(audited)
  })
})
