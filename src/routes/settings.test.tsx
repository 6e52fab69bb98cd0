import { describe, expect, it } from 'vitest'
import { countAllSessions } from '../auth/session.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import { createSuperAdmin } from '../test-support/factories.js'
import {
  cookieFrom,
  getPage,
  send,
  signIn,
  signInWithPasswordOnly,
} from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

// Signing everyone out from /settings/security (issue #3).

const t = useTestApp()

describe('sign everyone out', () => {
  it('the settings page shows how many sessions will end', async () => {
    const owner = await createSuperAdmin(t.db, t.config)
    const cookie = await signIn(t.app, owner, t.clock)
    // Live sessions only: rows past the idle or absolute limit are not "sessions that will end".
    const policy = {
      idleSeconds: t.config.sessionIdleSeconds,
      absoluteSeconds: t.config.sessionAbsoluteSeconds,
    }
    const sessions = await countAllSessions(t.db, policy, new Date(t.clock.now()))
    expect(sessions).toBeGreaterThan(0)
    await t.db
      .insertInto('super_admin_sessions')
      .values({
        id: 'expired'.padEnd(32, 'x'),
        super_admin_id: owner.admin.id,
        secret_hash: new Uint8Array(32),
        two_factor_verified: true,
        created_at: new Date(0),
        last_active_at: new Date(0),
      })
      .execute()

    const page = await (await send(t.app, 'GET', '/settings/security', { cookie })).text()

    expect(page).toContain(`<strong id="session-count">${sessions}</strong>`)
  })

  it('an admin without saas.settings.edit is refused and no session ends', async () => {
    const admin = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    const cookie = await signIn(t.app, admin, t.clock)
    const before = await countRows(t.db, 'super_admin_sessions')

    const res = await send(t.app, 'DELETE', '/settings/security/sessions', { cookie })

    expect(res.status).toBe(403)
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(before)
  })

  it('ends every session in the database at once, audits how many, and sends the operator to /login', async () => {
    const owner = await createSuperAdmin(t.db, t.config)
    const bea = await createSuperAdmin(t.db, t.config)
    const beas = await signIn(t.app, bea, t.clock)
    await signInWithPasswordOnly(t.app, bea)
    const cookie = await signIn(t.app, owner, t.clock)
    const sessions = await countRows(t.db, 'super_admin_sessions')

    const res = await send(t.app, 'POST', '/settings/security/sessions', {
      fields: { _method: 'DELETE' },
      cookie,
    })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login')
    expect(res.headers.getSetCookie().join()).toMatch(/fleetdeck_session=;/)
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(0)
    expect((await auditEntries(t.db, 'auth.session.end_all')).at(-1)).toMatchObject({
      actor_id: owner.admin.id,
      after: { ended: sessions },
    })
    expect((await send(t.app, 'GET', '/tenants', { cookie: beas })).headers.get('location')).toBe(
      '/login?ended=signed-out&next=%2Ftenants',
    )
  })

  it('tells the operator on the sign-in page how many sessions ended', async () => {
    const owner = await createSuperAdmin(t.db, t.config)
    await signIn(t.app, await createSuperAdmin(t.db, t.config), t.clock)
    const cookie = await signIn(t.app, owner, t.clock)
    const sessions = await countRows(t.db, 'super_admin_sessions')

    const res = await send(t.app, 'POST', '/settings/security/sessions', {
      fields: { _method: 'DELETE' },
      cookie,
    })
    const page = await getPage(t.app, '/login', cookieFrom(res, 'fleetdeck_flash'))

    expect(await page.text()).toContain(
      `Everyone is signed out: ${sessions} sessions ended, yours included. Sign in again.`,
    )
  })
})
