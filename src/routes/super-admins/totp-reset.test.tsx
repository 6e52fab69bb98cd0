import { describe, expect, it } from 'vitest'
import {
  auditEntries,
  cookieFrom,
  createSuperAdmin,
  getPage,
  postForm,
  sendForm,
  signIn,
  totpCode,
} from '../../test-support/factories.js'
import {
  t,
  owner,
  cookie,
  HOUR,
  adminRow,
  sessionsOf,
  shownKey,
  state,
  passwordStep,
  useSuperAdminTestApp,
} from '../../test-support/super-admin-routes.js'

useSuperAdminTestApp()

describe('resetting TOTP', () => {
  it('resets another admin’s authenticator and ends their sessions; they re-enrol at the next sign-in', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'support' })
    const targetCookie = await signIn(t.app, target, t.clock)

    const res = await sendForm(t.app, 'DELETE', `/super-admins/${target.admin.id}/totp`, {}, cookie)

    expect(res.status).toBe(303)
    expect(await adminRow(target.admin.id)).toMatchObject({
      mfa_enabled: false,
      totp_secret_encrypted: null,
      totp_last_step: null,
    })
    expect(await sessionsOf(target.admin.id)).toHaveLength(0)
    expect((await getPage(t.app, '/tenants', targetCookie)).headers.get('location')).toBe(
      '/login?ended=signed-out&next=%2Ftenants',
    )
    const [entry] = (await auditEntries(t.db, 'super_admin.reset_totp')).filter(
      (e) => e.target_id === target.admin.id,
    )
    expect(entry).toMatchObject({
      actor_id: owner.admin.id,
      before: { mfaEnabled: true },
      after: { mfaEnabled: false, sessionsEnded: 1 },
    })

    t.clock.advance(30_000)
    const password = await passwordStep(target.admin.email, target.password)
    expect(password.headers.get('location')).toBe('/enrol/totp')
    const half = cookieFrom(password)!
    expect((await getPage(t.app, '/tenants', half)).headers.get('location')).toBe('/login')
    const key = shownKey(await (await getPage(t.app, '/enrol/totp', half)).text())
    expect(Buffer.from(key).equals(Buffer.from(target.totpKey))).toBe(false)
    const enrolled = await postForm(
      t.app,
      '/enrol/totp',
      { code: totpCode(key, t.clock.now()) },
      half,
    )
    expect(enrolled.headers.get('location')).toBe('/tenants')
    expect((await getPage(t.app, '/tenants', cookieFrom(enrolled))).status).toBe(200)
  })

  it('lifts a TOTP lockout, so an admin who lost the device can re-enrol at once', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    const lockedUntil = new Date(t.clock.now() + 24 * HOUR)
    await t.db
      .updateTable('super_admins')
      .set({ failed_totp_count: 20, locked_until: lockedUntil })
      .where('id', '=', target.admin.id)
      .execute()

    await sendForm(t.app, 'DELETE', `/super-admins/${target.admin.id}/totp`, {}, cookie)

    expect(await adminRow(target.admin.id)).toMatchObject({
      failed_totp_count: 0,
      locked_until: null,
    })
    const password = await passwordStep(target.admin.email, target.password)
    expect(password.headers.get('location')).toBe('/enrol/totp')
  })

  it('is refused for yourself (403), and your own page offers no reset', async () => {
    const before = await state()

    const res = await sendForm(t.app, 'DELETE', `/super-admins/${owner.admin.id}/totp`, {}, cookie)
    const page = await (await getPage(t.app, `/super-admins/${owner.admin.id}`, cookie)).text()

    expect(res.status).toBe(403)
    expect(await res.text()).toContain(
      'You cannot reset your own TOTP: another super admin must do it.',
    )
    expect(await state()).toEqual(before)
    expect(page).not.toContain(`action="/super-admins/${owner.admin.id}/totp"`)
    expect(page).toContain('Another super admin with this permission must reset your TOTP.')
  })

  it('another admin’s page offers the reset', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'viewer' })

    const page = await (await getPage(t.app, `/super-admins/${target.admin.id}`, cookie)).text()

    expect(page).toContain(`action="/super-admins/${target.admin.id}/totp"`)
    expect(page).toContain('>Reset TOTP</button>')
  })

  it('with a TOTP check older than 10 minutes, goes to step-up and resets nothing', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    t.clock.advance(11 * 60_000)
    const before = await state()

    const res = await sendForm(t.app, 'DELETE', `/super-admins/${target.admin.id}/totp`, {}, cookie)

    expect(res.headers.get('location')).toMatch(/^\/step-up\?next=/)
    expect(await state()).toEqual(before)
  })
})
