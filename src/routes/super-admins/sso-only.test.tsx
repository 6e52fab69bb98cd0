import { beforeAll, describe, expect, it } from 'vitest'
import { auditEntries, superAdminRow } from '../../test-support/database-state.js'
import { createSuperAdmin, type TestAdmin } from '../../test-support/factories.js'
import { cookieFrom, getPage, login, postForm, signIn } from '../../test-support/requests.js'
import { useTestApp } from '../../test-support/test-app.js'

// Owners restrict an operator to SSO sign-in on the operator's page (issue 14 item 3).

const GITHUB = {
  SSO_PROVIDERS: 'github',
  SSO_GITHUB_CLIENT_ID: 'client',
  SSO_GITHUB_CLIENT_SECRET: 'secret',
}

describe('with an identity provider configured', () => {
  const t = useTestApp(GITHUB)
  let owner: TestAdmin
  let cookie: string
  beforeAll(async () => {
    owner = await createSuperAdmin(t.db, t.config, { role: 'owner' })
  })
  const setSsoOnly = (who: TestAdmin, on: boolean, as = cookie) =>
    postForm(t.app, `/super-admins/${who.admin.id}/sso-only`, on ? { sso_only: 'on' } : {}, as)

  it('an owner restricts an operator to SSO: audited, shown, and their password refused', async () => {
    cookie = await signIn(t.app, owner, t.clock)
    const ops = await createSuperAdmin(t.db, t.config, { role: 'admin' })

    const res = await setSsoOnly(ops, true)

    expect(res.status).toBe(303)
    expect((await superAdminRow(t.db, ops)).sso_only).toBe(true)
    const [entry] = (await auditEntries(t.db, 'super_admin.sso_only')).filter(
      (e) => e.target_id === ops.admin.id,
    )
    expect(entry).toMatchObject({
      actor_id: owner.admin.id,
      before: { ssoOnly: false },
      after: { ssoOnly: true },
    })
    const page = await (await getPage(t.app, `/super-admins/${ops.admin.id}`, cookie)).text()
    expect(page).toContain('SSO only')
    expect(page).toMatch(/<input type="checkbox" id="sso-only" name="sso_only" checked/)
    const password = await login(t.app, ops)
    expect(password.status).toBe(401)
    expect(cookieFrom(password)).toBeUndefined()

    expect((await setSsoOnly(ops, false)).status).toBe(303)
    expect((await superAdminRow(t.db, ops)).sso_only).toBe(false)
    expect((await login(t.app, ops)).status).toBe(303)
    expect(await auditEntries(t.db, 'super_admin.sso_only')).toHaveLength(2)
  })

  it('saving the same value changes nothing and writes no audit entry', async () => {
    cookie = await signIn(t.app, owner, t.clock)
    const ops = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    const before = (await auditEntries(t.db, 'super_admin.sso_only')).length
    expect((await setSsoOnly(ops, false)).status).toBe(303)
    expect(await auditEntries(t.db, 'super_admin.sso_only')).toHaveLength(before)
  })

  it('an admin who is not an owner is refused (403) and nothing changes', async () => {
    const admin = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    const ops = await createSuperAdmin(t.db, t.config, { role: 'support' })
    const res = await setSsoOnly(ops, true, await signIn(t.app, admin, t.clock))
    expect(res.status).toBe(403)
    expect((await superAdminRow(t.db, ops)).sso_only).toBe(false)
  })

  it('with a TOTP check older than 10 minutes, goes to step-up and changes nothing', async () => {
    cookie = await signIn(t.app, owner, t.clock)
    const ops = await createSuperAdmin(t.db, t.config, { role: 'support' })
    t.clock.advance(11 * 60_000)
    const res = await setSsoOnly(ops, true)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toMatch(/^\/step-up\?next=/)
    expect((await superAdminRow(t.db, ops)).sso_only).toBe(false)
  })
})

describe('without any identity provider', () => {
  const t = useTestApp()

  it('refuses SSO-only with 422 next to the checkbox: the operator could not sign in at all', async () => {
    const owner = await createSuperAdmin(t.db, t.config, { role: 'owner' })
    const ops = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    const cookie = await signIn(t.app, owner, t.clock)
    const res = await postForm(
      t.app,
      `/super-admins/${ops.admin.id}/sso-only`,
      { sso_only: 'on' },
      cookie,
    )
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('id="sso-only-error" role="alert"')
    expect((await superAdminRow(t.db, ops)).sso_only).toBe(false)
    expect(await auditEntries(t.db, 'super_admin.sso_only')).toHaveLength(0)
  })
})
