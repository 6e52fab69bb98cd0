import { describe, expect, it } from 'vitest'
import { tenantSchemaName } from '../../db/tenants.js'
import { countSchemaTables } from '../../db/tenant-schema.js'
import { auditEntries } from '../../test-support/database-state.js'
import { addMembership, createTenant, createUser } from '../../test-support/factories.js'
import { alertText, fieldError, rowCells, textOf } from '../../test-support/html.js'
import { cookieOfRole, followWithFlash } from '../../test-support/plan-scenes.js'
import { getPage, postForm, sendForm } from '../../test-support/requests.js'
import { useTestApp } from '../../test-support/test-app.js'

// Deletion with a grace period through the console (issue 11 item 6): delete, the list and page
// texts, restore within the grace period and after it, and owner-only protection.

const t = useTestApp()
const DAY = 86_400_000
const row = (id: string) =>
  t.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

/** A fresh owner session at the test clock's now (the clock jumps days ahead here). */
const ownerCookie = () => cookieOfRole(t.db, t.config, 'owner', new Date(t.clock.now()))

async function deleteViaConsole(id: string, slug: string, cookie: string) {
  return sendForm(t.app, 'DELETE', `/tenants/${id}`, { confirmSlug: slug }, cookie)
}

describe('deleting and restoring in the console', () => {
  it('lists a deleted tenant as "deleted — purges in N days" and restores it as suspended', async () => {
    let cookie = await ownerCookie()
    const tenant = await createTenant(t.db)
    expect((await deleteViaConsole(tenant.id, tenant.slug, cookie)).status).toBe(303)
    t.clock.advance(5 * DAY)
    cookie = await ownerCookie()

    const list = await (await getPage(t.app, '/tenants?status=deleted', cookie)).text()
    expect(rowCells(list, `tenant-${tenant.id}`).join(' ')).toContain('deleted — purges in 9 days')
    const page = await (await getPage(t.app, `/tenants/${tenant.id}`, cookie)).text()
    expect(textOf(page, '#tenant-deleted')).toContain('deleted — purges in 9 days')
    expect(page).toContain(`href="/tenants/${tenant.id}/restoration/new"`)
    const confirm = await getPage(t.app, `/tenants/${tenant.id}/restoration/new`, cookie)
    expect(await confirm.text()).toContain('brings it back')

    const res = await postForm(t.app, `/tenants/${tenant.id}/restoration`, {}, cookie)

    expect(res.status).toBe(303)
    expect(textOf(await followWithFlash(t.app, res, cookie), '[role="status"]')).toContain(
      `Tenant ${tenant.slug} restored as suspended`,
    )
    expect(await row(tenant.id)).toMatchObject({ status: 'suspended', purge_after: null })
    expect(await countSchemaTables(t.db, tenantSchemaName(tenant.slug))).toBeGreaterThan(0)
    expect((await auditEntries(t.db, 'tenant.undelete')).at(-1)?.tenant_id).toBe(tenant.id)
  })

  it('refuses a restore once the grace period is over, saying the purge is due', async () => {
    let cookie = await ownerCookie()
    const tenant = await createTenant(t.db)
    await deleteViaConsole(tenant.id, tenant.slug, cookie)
    t.clock.advance(14 * DAY)
    cookie = await ownerCookie()

    const res = await postForm(t.app, `/tenants/${tenant.id}/restoration`, {}, cookie)

    expect(alertText(await followWithFlash(t.app, res, cookie))).toBe(
      `The purge of ${tenant.slug} is due; it can no longer be restored.`,
    )
    expect((await row(tenant.id)).status).toBe('deleted')
  })
})

describe('protection', () => {
  it('an owner protects a tenant; Delete is then hidden, refused with 422, and nothing changes', async () => {
    const cookie = await ownerCookie()
    const tenant = await createTenant(t.db)

    const res = await postForm(t.app, `/tenants/${tenant.id}/protection`, {}, cookie)

    expect(textOf(await followWithFlash(t.app, res, cookie), '[role="status"]')).toContain(
      `Tenant ${tenant.slug} protected.`,
    )
    const page = await (await getPage(t.app, `/tenants/${tenant.id}`, cookie)).text()
    expect(textOf(page, '#protection-title')).toBe('Protected')
    expect(page).not.toContain('Delete this tenant')
    const refused = await deleteViaConsole(tenant.id, tenant.slug, cookie)
    expect(refused.status).toBe(422)
    expect(alertText(await refused.text())).toContain('is protected: an owner must unprotect it')
    expect(await row(tenant.id)).toMatchObject({ status: 'active', protected: true })
    const unprotect = await sendForm(
      t.app,
      'DELETE',
      `/tenants/${tenant.id}/protection`,
      {},
      cookie,
    )
    expect(unprotect.status).toBe(303)
    expect((await row(tenant.id)).protected).toBe(false)
    expect((await auditEntries(t.db, 'tenant.unprotect')).at(-1)?.tenant_id).toBe(tenant.id)
  })

  it('an admin, who may delete, may not protect or unprotect: 403 and nothing changes', async () => {
    const admin = await cookieOfRole(t.db, t.config, 'admin', new Date(t.clock.now()))
    const tenant = await createTenant(t.db)

    expect((await postForm(t.app, `/tenants/${tenant.id}/protection`, {}, admin)).status).toBe(403)
    expect((await row(tenant.id)).protected).toBe(false)
    const page = await (await getPage(t.app, `/tenants/${tenant.id}`, admin)).text()
    expect(page).not.toContain('Protect ')
    expect(fieldError(page, 'confirmSlug')).toBeUndefined()
    expect(page).toContain('kept for 14 days, then')
  })
})

describe("a deleted tenant's members", () => {
  it('keep their membership for a restore, shown without role controls and left out of the users directory', async () => {
    const cookie = await ownerCookie()
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)
    await addMembership(t.db, user, tenant)
    await deleteViaConsole(tenant.id, tenant.slug, cookie)

    const page = await (await getPage(t.app, `/users/${user.id}`, cookie)).text()
    expect(page).toContain(`href="/tenants/${tenant.id}"`)
    expect(page).not.toContain(`Save the role of ${user.email} in ${tenant.slug}`)
    const directory = await (await getPage(t.app, `/users?q=${user.email}`, cookie)).text()
    expect(directory).toContain(user.email)
    expect(directory).not.toContain(tenant.slug)
  })
})
