import { describe, expect, it } from 'vitest'
import { listTenantBackups } from '../../db/tenant-backups.js'
import { findTenantById } from '../../db/tenants.js'
import { insertAttachments } from '../../db/tenant-schema.js'
import { createTenantBackup } from '../../fleet/backups.js'
import { changeTenantStatus } from '../../tenancy/lifecycle.js'
import { auditEntries } from '../../test-support/database-state.js'
import { createSuperAdmin, createTenant } from '../../test-support/factories.js'
import { followWithFlash } from '../../test-support/plan-scenes.js'
import { getPage, postForm, signIn } from '../../test-support/requests.js'
import { tempBackupDir, tenantRows } from '../../test-support/schema-rows.js'
import { useTestApp } from '../../test-support/test-app.js'

// The tenant page's backups (issue 11 item 5): back up now, the restore confirm page, and the
// restore's refusals — an active tenant, a wrong typed slug, no step-up, a role that may not.

const t = useTestApp({ BACKUP_DIR: tempBackupDir() })

async function suspendedWithBackup() {
  const tenant = await createTenant(t.db)
  const made = await createTenantBackup(t.database, t.config, { actor: null }, tenant.id, 'manual')
  if (!made.ok) throw new Error(made.reason)
  await changeTenantStatus(t.db, { actor: null }, tenant.id, 'suspend')
  return { tenant, backup: made.backup }
}

const restorePath = (tenantId: string, backupId: string) =>
  `/tenants/${tenantId}/backups/${backupId}/restoration`

describe('tenant backups', () => {
  it('"Back up now" takes a backup, audited with its operator, and says so', async () => {
    const { owner, cookie } = await t.signedInOwner()
    const tenant = await createTenant(t.db)

    const res = await postForm(t.app, `/tenants/${tenant.id}/backups`, {}, cookie)

    expect(res.status).toBe(303)
    expect(await followWithFlash(t.app, res, cookie)).toContain(`Backed up ${tenant.slug}`)
    const [backup] = await listTenantBackups(t.db, tenant.id)
    expect(backup).toMatchObject({ reason: 'manual', createdBy: owner.admin.id })
    const page = await (await getPage(t.app, `/tenants/${tenant.id}`, cookie)).text()
    expect(page).toContain(backup.sha256.slice(0, 12))
    expect(page).toContain('Restore as new tenant')
  })

  it('restores a suspended tenant after the typed slug, with a tenant.restore entry', async () => {
    const { cookie } = await t.signedInOwner()
    const { tenant, backup } = await suspendedWithBackup()
    const rows = await tenantRows(t.db, tenant.slug)
    await insertAttachments(t.db, tenant.slug, [
      { fileName: 'x.txt', contentType: 'text/plain', fileSize: 1 },
    ])

    const form = await getPage(t.app, restorePath(tenant.id, backup.id), cookie)
    const res = await postForm(
      t.app,
      restorePath(tenant.id, backup.id),
      { confirmSlug: tenant.slug },
      cookie,
    )

    expect(await form.text()).toContain(`Type ${tenant.slug} to confirm`)
    expect(res.status).toBe(303)
    expect(await followWithFlash(t.app, res, cookie)).toContain(`Restored ${tenant.slug}`)
    expect(await tenantRows(t.db, tenant.slug)).toEqual(rows)
    const entries = await auditEntries(t.db, 'tenant.restore')
    expect(entries.some((e) => e.target_id === tenant.id)).toBe(true)
  })

  it('refuses a wrong typed slug with 422 next to the field, changing nothing', async () => {
    const { cookie } = await t.signedInOwner()
    const { tenant, backup } = await suspendedWithBackup()
    await insertAttachments(t.db, tenant.slug, [
      { fileName: 'kept.txt', contentType: 'text/plain', fileSize: 1 },
    ])
    const rows = await tenantRows(t.db, tenant.slug)

    const res = await postForm(
      t.app,
      restorePath(tenant.id, backup.id),
      { confirmSlug: 'nope' },
      cookie,
    )

    expect(res.status).toBe(422)
    expect(await res.text()).toContain(`Type ${tenant.slug} exactly to restore this tenant.`)
    expect(await tenantRows(t.db, tenant.slug)).toEqual(rows)
    expect(await listTenantBackups(t.db, tenant.id)).toHaveLength(1)
  })

  it('refuses an active tenant: the page says why and offers no form; a post changes nothing', async () => {
    const { cookie } = await t.signedInOwner()
    const { tenant, backup } = await suspendedWithBackup()
    await changeTenantStatus(t.db, { actor: null }, tenant.id, 'activate')

    const page = await (await getPage(t.app, restorePath(tenant.id, backup.id), cookie)).text()
    const res = await postForm(
      t.app,
      restorePath(tenant.id, backup.id),
      { confirmSlug: tenant.slug },
      cookie,
    )

    expect(page).toContain('cannot be restored now: it is active')
    expect(page).not.toContain('name="confirmSlug"')
    expect(await followWithFlash(t.app, res, cookie)).toContain('was not restored, nothing changed')
    expect(await listTenantBackups(t.db, tenant.id)).toHaveLength(1)
    expect(
      (await auditEntries(t.db, 'tenant.restore')).some((e) => e.target_id === tenant.id),
    ).toBe(false)
  })

  it('needs a fresh step-up: an older TOTP check goes to /step-up and restores nothing', async () => {
    const owner = await createSuperAdmin(t.db, t.config, { role: 'owner' })
    const cookie = await signIn(t.app, owner, t.clock)
    const { tenant, backup } = await suspendedWithBackup()
    t.clock.advance(11 * 60_000)

    const res = await postForm(
      t.app,
      restorePath(tenant.id, backup.id),
      { confirmSlug: tenant.slug },
      cookie,
    )

    expect(res.headers.get('location')).toMatch(/^\/step-up/)
    expect(await listTenantBackups(t.db, tenant.id)).toHaveLength(1)
    expect((await findTenantById(t.db, tenant.id))?.status).toBe('suspended')
  })

  it('an operator may back up but not restore', async () => {
    const operator = await createSuperAdmin(t.db, t.config, { role: 'operator' })
    const cookie = await signIn(t.app, operator, t.clock)
    const { tenant, backup } = await suspendedWithBackup()

    const restore = await postForm(
      t.app,
      restorePath(tenant.id, backup.id),
      { confirmSlug: tenant.slug },
      cookie,
    )
    const page = await (await getPage(t.app, `/tenants/${tenant.id}`, cookie)).text()

    expect(restore.status).toBe(403)
    expect(page).toContain('Back up now')
    expect(page).not.toContain('Restore as new tenant')
    expect(await listTenantBackups(t.db, tenant.id)).toHaveLength(1)
  })
})
