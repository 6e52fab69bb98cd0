import { describe, expect, it } from 'vitest'
import {
  auditEntries,
  createSuperAdmin,
  getPage,
  postForm,
  signIn,
} from '../../test-support/factories.js'
import {
  t,
  owner,
  cookie,
  adminRow,
  sessionsOf,
  outboxMailTo,
  linkIn,
  state,
  follow,
  invite,
  passwordStep,
  useSuperAdminTestApp,
} from '../../test-support/super-admin-routes.js'

useSuperAdminTestApp()

describe('deactivating and reactivating', () => {
  it('deactivation ends that admin’s sessions at once; their next request goes to /login', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    const targetCookie = await signIn(t.app, target, t.clock)
    await signIn(t.app, target, t.clock)
    expect(await sessionsOf(target.admin.id)).toHaveLength(2)

    const res = await postForm(t.app, `/super-admins/${target.admin.id}/deactivation`, {}, cookie)

    expect(res.status).toBe(303)
    expect((await adminRow(target.admin.id)).is_active).toBe(false)
    expect(await sessionsOf(target.admin.id)).toHaveLength(0)
    const next = await getPage(t.app, '/tenants', targetCookie)
    expect([next.status, next.headers.get('location')]).toEqual([
      303,
      '/login?ended=signed-out&next=%2Ftenants',
    ])
    expect((await passwordStep(target.admin.email, target.password)).status).toBe(401)
    const [entry] = (await auditEntries(t.db, 'super_admin.deactivate')).filter(
      (e) => e.target_id === target.admin.id,
    )
    expect(entry).toMatchObject({
      actor_id: owner.admin.id,
      before: { isActive: true },
      after: { isActive: false, sessionsEnded: 2 },
    })
    expect(await follow(res, cookie)).toContain('is deactivated; their sessions have ended.')
  })

  it('reactivation (a form with _method=DELETE) lets the admin sign in again', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'viewer', isActive: false })

    const res = await postForm(
      t.app,
      `/super-admins/${target.admin.id}/deactivation`,
      { _method: 'DELETE' },
      cookie,
    )

    expect(res.status).toBe(303)
    expect((await adminRow(target.admin.id)).is_active).toBe(true)
    expect((await passwordStep(target.admin.email, target.password)).status).toBe(303)
    const [entry] = (await auditEntries(t.db, 'super_admin.reactivate')).filter(
      (e) => e.target_id === target.admin.id,
    )
    expect(entry).toMatchObject({ before: { isActive: false }, after: { isActive: true } })
  })

  it('deactivating an invited admin revokes their invitation link', async () => {
    const { fields, admin } = await invite()
    const link = linkIn((await outboxMailTo(fields.email))!.body)

    await postForm(t.app, `/super-admins/${admin!.id}/deactivation`, {}, cookie)

    expect((await getPage(t.app, link)).status).toBe(404)
  })

  it('deactivating an admin twice answers 409 and changes nothing the second time', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'viewer', isActive: false })
    const before = await state()

    const res = await postForm(t.app, `/super-admins/${target.admin.id}/deactivation`, {}, cookie)

    expect(res.status).toBe(409)
    expect(await state()).toEqual(before)
  })
})
