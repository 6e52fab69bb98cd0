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
  state,
  useSuperAdminTestApp,
} from '../../test-support/super-admin-routes.js'

useSuperAdminTestApp()

describe('changing a role', () => {
  it('an owner changes another admin’s role; it is audited and holds from their next request', async () => {
    const other = await createSuperAdmin(t.db, t.config, { role: 'owner' })
    const otherCookie = await signIn(t.app, other, t.clock)

    const res = await postForm(t.app, `/super-admins/${other.admin.id}`, { role: 'viewer' }, cookie)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/super-admins/${other.admin.id}`)
    expect((await adminRow(other.admin.id)).role).toBe('viewer')
    const [entry] = (await auditEntries(t.db, 'super_admin.role_change')).filter(
      (e) => e.target_id === other.admin.id,
    )
    expect(entry).toMatchObject({
      actor_id: owner.admin.id,
      before: { role: 'owner' },
      after: { role: 'viewer' },
    })
    expect((await getPage(t.app, '/super-admins', otherCookie)).status).toBe(403)
  })

  it('an unknown role answers 422 next to the field and changes nothing', async () => {
    const other = await createSuperAdmin(t.db, t.config, { role: 'support' })
    const before = await state()

    const res = await postForm(t.app, `/super-admins/${other.admin.id}`, { role: 'root' }, cookie)

    expect(res.status).toBe(422)
    expect(await res.text()).toContain('<p id="field-role-error" role="alert"')
    expect(await state()).toEqual(before)
  })

  it('an unknown or malformed id answers 404', async () => {
    expect(
      (await postForm(t.app, `/super-admins/${crypto.randomUUID()}`, { role: 'viewer' }, cookie))
        .status,
    ).toBe(404)
    expect((await getPage(t.app, '/super-admins/not-a-uuid', cookie)).status).toBe(404)
  })

  it('with a TOTP check older than 10 minutes, goes to step-up and changes nothing', async () => {
    const other = await createSuperAdmin(t.db, t.config, { role: 'support' })
    t.clock.advance(11 * 60_000)
    const before = await state()

    const res = await postForm(t.app, `/super-admins/${other.admin.id}`, { role: 'owner' }, cookie)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toMatch(/^\/step-up\?next=/)
    expect(await state()).toEqual(before)
  })
})
