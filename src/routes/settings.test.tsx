import { describe, expect, it } from 'vitest'
import { countAllSessions } from '../auth/session.js'
import { activeSigningKey } from '../auth/signing-keys.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import { createSuperAdmin } from '../test-support/factories.js'
import { parseHtml, textOf } from '../test-support/html.js'
import {
  cookieFrom,
  getPage,
  postForm,
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

// The /settings index (issue 10 item 6): every section, each with its state now.
describe('the settings index', () => {
  it('links every section and says what each holds now', async () => {
    const { cookie } = await t.signedInOwner()
    await t.db.deleteFrom('settings').where('key', 'in', ['mail_relay', 'licence_key']).execute()
    await postForm(
      t.app,
      '/settings/mail',
      {
        host: 'smtp.example.com',
        port: '587',
        security: 'starttls',
        user: '',
        password: '',
        from: 'ops@example.com',
      },
      cookie,
    )
    await postForm(t.app, '/settings/licence', { licenceKey: 'FD-LIC-0000-1234' }, cookie)
    await activeSigningKey(t.db, t.config, new Date(t.clock.now()))
    t.clock.advance(3 * 24 * 3600_000 + 1000)
    const fresh = await signIn(t.app, await createSuperAdmin(t.db, t.config), t.clock)

    const res = await getPage(t.app, '/settings', fresh)
    const html = await res.text()

    expect(res.status).toBe(200)
    expect(
      parseHtml(html)
        .querySelectorAll('#settings-sections h2 a')
        .map((a) => a.getAttribute('href')),
    ).toEqual([
      '/settings/signup',
      '/settings/mail',
      '/settings/licence',
      '/settings/keys',
      '/settings/thresholds',
      '/settings/security',
      '/settings/app-keys',
    ])
    const state = (href: string) => textOf(html, `[data-state-of="${href}"]`)
    expect(state('/settings/mail')).toBe('Relay: smtp.example.com:587')
    expect(state('/settings/licence')).toBe('Licence: …1234')
    expect(state('/settings/keys')).toMatch(/^Signing key: created [3-9] d ago$/)
    expect(state('/settings/security')).toMatch(/^IP allowlist: /)
    expect(state('/settings/signup')).toBe('Public signup: on, new workspaces start on Free')
    expect(state('/settings/thresholds')).toBe('Thresholds: the defaults')
  })

  it('says when public signup is off and how many thresholds were changed', async () => {
    await t.db
      .insertInto('settings')
      .values([
        { key: 'public_signup', value: 'false', updated_at: new Date(), updated_by: null },
        {
          key: 'health_thresholds',
          value: JSON.stringify({ cpu: { warning: 60, critical: 80 } }),
          updated_at: new Date(),
          updated_by: null,
        },
      ])
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
      )
      .execute()
    const owner = await signIn(t.app, await createSuperAdmin(t.db, t.config), t.clock)

    const html = await (await getPage(t.app, '/settings', owner)).text()

    const state = (href: string) => textOf(html, `[data-state-of="${href}"]`)
    expect(state('/settings/signup')).toBe('Public signup: off')
    expect(state('/settings/thresholds')).toBe('Thresholds: 1 metric changed from the defaults')
    await t.db
      .deleteFrom('settings')
      .where('key', 'in', ['public_signup', 'health_thresholds'])
      .execute()
  })

  it('is for owners only', async () => {
    const admin = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    const cookie = await signIn(t.app, admin, t.clock)

    expect((await getPage(t.app, '/settings', cookie)).status).toBe(403)
  })
})
