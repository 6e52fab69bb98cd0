import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createSession } from '../../auth/session.js'
import type { OperatorRole } from '../../db/schema.js'
import { changeSuperAdminRole, setSuperAdminActive } from '../../db/super-admins.js'
import { countRows } from '../../test-support/database-state.js'
import { createSuperAdmin, type TestAdmin } from '../../test-support/factories.js'
import { getPage, postForm, sendForm, signIn } from '../../test-support/requests.js'
import { linkHrefs, tableRow } from '../../test-support/html.js'
import { useTestApp } from '../../test-support/test-app.js'
import {
  t,
  owner,
  cookie,
  state,
  inviteFields,
  invite,
  useSuperAdminTestApp,
} from '../../test-support/super-admin-routes.js'

useSuperAdminTestApp()

describe('who may manage super admins', () => {
  const routes = (id: string, sessionId: string): [string, string, Record<string, string>][] => [
    ['GET', '/super-admins', {}],
    ['GET', '/super-admins/new', {}],
    ['POST', '/super-admins', inviteFields({ role: 'owner' })],
    ['GET', '/super-admins/outbox', {}],
    ['GET', `/super-admins/${id}`, {}],
    ['POST', `/super-admins/${id}`, { role: 'owner' }],
    ['POST', `/super-admins/${id}/deactivation`, {}],
    ['DELETE', `/super-admins/${id}/deactivation`, {}],
    ['DELETE', `/super-admins/${id}/totp`, {}],
    ['DELETE', `/super-admins/${id}/sessions/${sessionId}`, {}],
    ['DELETE', `/super-admins/${id}/sessions`, {}],
    ['POST', `/super-admins/${id}/invitation`, {}],
  ]

  it.each<OperatorRole>(['admin', 'operator', 'support', 'viewer'])(
    '%s gets 403 on every /super-admins route and changes nothing',
    async (role) => {
      const who = await createSuperAdmin(t.db, t.config, { role })
      const whoCookie = await signIn(t.app, who, t.clock)
      const target = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
      const { session } = await createSession(
        t.db,
        target.admin.id,
        { twoFactorVerified: true },
        new Date(t.clock.now()),
      )
      const before = await state()

      for (const [method, path, fields] of [
        ...routes(target.admin.id, session.id),
        // Their own row: a viewer cannot make themselves owner either.
        ['POST', `/super-admins/${who.admin.id}`, { role: 'owner' }] as [
          string,
          string,
          Record<string, string>,
        ],
      ]) {
        const res =
          method === 'GET'
            ? await getPage(t.app, path, whoCookie)
            : await sendForm(t.app, method, path, fields, whoCookie)
        expect([method, path, res.status]).toEqual([method, path, 403])
      }
      expect(await state()).toEqual(before)
    },
  )

  it('without a full session every route sends to /login', async () => {
    for (const [method, path] of routes(owner.admin.id, 'x')) {
      const res =
        method === 'GET' ? await getPage(t.app, path) : await sendForm(t.app, method, path, {})
      expect([method, path, res.status, res.headers.get('location')]).toEqual([
        method,
        path,
        303,
        '/login',
      ])
    }
  })

  it('every change needs a TOTP check from the last 10 minutes: otherwise step-up, nothing changed', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    const { session } = await createSession(
      t.db,
      target.admin.id,
      { twoFactorVerified: true },
      new Date(t.clock.now()),
    )
    t.clock.advance(11 * 60_000)
    await t.db
      .updateTable('super_admin_sessions')
      .set({ last_active_at: new Date(t.clock.now()) })
      .where('id', '=', session.id)
      .execute()
    const before = await state()

    for (const [method, path, fields] of routes(target.admin.id, session.id).filter(
      ([method]) => method !== 'GET',
    )) {
      const res = await sendForm(t.app, method, path, fields, cookie)
      expect([method, path, res.status, res.headers.get('location')]).toEqual([
        method,
        path,
        303,
        '/step-up?next=%2F',
      ])
    }
    expect(await state()).toEqual(before)
  })

  it('the navigation shows Super admins to owners only', async () => {
    const admin = await createSuperAdmin(t.db, t.config, { role: 'admin' })

    const asOwner = await (await getPage(t.app, '/tenants', cookie)).text()
    const asAdmin = await (
      await getPage(t.app, '/tenants', await signIn(t.app, admin, t.clock))
    ).text()

    expect(asOwner).toContain('href="/super-admins"')
    expect(asAdmin).not.toContain('href="/super-admins"')
  })
})

describe('the list', () => {
  it('shows email, name, role, active, MFA, last sign-in and who invited each admin', async () => {
    const { admin: invited } = await invite(
      inviteFields({ name: 'Listed Invitee', role: 'support' }),
    )
    const inactive = await createSuperAdmin(t.db, t.config, { role: 'viewer', isActive: false })

    const res = await getPage(t.app, '/super-admins', cookie)
    const body = await res.text()
    const row = (id: string) => tableRow(body, `super-admin-${id}`)

    expect(res.status).toBe(200)
    expect(row(invited!.id)).toMatchObject({
      Email: invited!.email,
      Name: 'Listed Invitee',
      Role: 'support',
      'Invited by': owner.admin.email,
    })
    expect(row(invited!.id).Active).toContain('invitation pending')
    expect(row(invited!.id).MFA).toBe('not enrolled')
    expect(linkHrefs(body, invited!.email)).toEqual([`/super-admins/${invited!.id}`])
    expect(row(owner.admin.id).Email).toMatch(/^\S+@example\.com ?\(you\)$/)
    expect(row(owner.admin.id).Email).toContain(owner.admin.email)
    expect(row(owner.admin.id).MFA).toBe('enrolled')
    expect(row(owner.admin.id)['Last sign-in']).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/)
    expect(row(inactive.admin.id).Active).toContain('deactivated')
  })

  it('links to the development outbox while SMTP_URL is unset', async () => {
    const body = await (await getPage(t.app, '/super-admins', cookie)).text()

    expect(body).toContain('<a href="/super-admins/outbox"')
    expect(body).toContain('Development outbox (mail is not sent)')
  })
})

describe('the last active owner', () => {
  // A database of its own: here the number of owners must be known exactly.
  const u = useTestApp()
  let only: TestAdmin
  let onlyCookie: string

  beforeAll(async () => {
    only = await u.owner()
  })
  beforeEach(async () => {
    onlyCookie = await signIn(u.app, only, u.clock)
  })

  const activeOwners = () =>
    u.db
      .selectFrom('super_admins')
      .select('id')
      .where('role', '=', 'owner')
      .where('is_active', '=', true)
      .execute()

  it('cannot be demoted: 422 with the message next to the role, nothing changed', async () => {
    const audit = await countRows(u.db, 'audit_log')

    const res = await postForm(
      u.app,
      `/super-admins/${only.admin.id}`,
      { role: 'admin' },
      onlyCookie,
    )

    expect(res.status).toBe(422)
    expect(await res.text()).toContain(
      'This is the last active owner: make another admin an owner first.',
    )
    expect((await activeOwners()).map((o) => o.id)).toEqual([only.admin.id])
    expect(await countRows(u.db, 'audit_log')).toBe(audit)
  })

  it('cannot be deactivated: 422, nothing changed, sessions kept', async () => {
    const audit = await countRows(u.db, 'audit_log')
    const sessions = await countRows(u.db, 'super_admin_sessions')

    const res = await postForm(u.app, `/super-admins/${only.admin.id}/deactivation`, {}, onlyCookie)

    expect(res.status).toBe(422)
    expect(await res.text()).toContain('This is the last active owner')
    expect((await activeOwners()).map((o) => o.id)).toEqual([only.admin.id])
    expect(await countRows(u.db, 'audit_log')).toBe(audit)
    expect(await countRows(u.db, 'super_admin_sessions')).toBe(sessions)
  })

  it('a deactivated owner does not count as another owner', async () => {
    await createSuperAdmin(u.db, u.config, { role: 'owner', isActive: false })

    const res = await postForm(
      u.app,
      `/super-admins/${only.admin.id}`,
      { role: 'viewer' },
      onlyCookie,
    )

    expect(res.status).toBe(422)
  })

  it('of two owners, two demotions sent at once cannot both pass', async () => {
    const second = await createSuperAdmin(u.db, u.config, { role: 'owner' })

    const results = await Promise.all([
      postForm(u.app, `/super-admins/${only.admin.id}`, { role: 'admin' }, onlyCookie),
      postForm(u.app, `/super-admins/${second.admin.id}`, { role: 'admin' }, onlyCookie),
    ])

    expect(results.map((r) => r.status).filter((s) => s === 303)).toHaveLength(1)
    expect(await activeOwners()).toHaveLength(1)
  })

  it('a second change waits for the first one’s row locks, then sees it and refuses', async () => {
    await u.db
      .updateTable('super_admins')
      .set({ role: 'viewer' })
      .where('role', '=', 'owner')
      .execute()
    const a = await createSuperAdmin(u.db, u.config, { role: 'owner' })
    const b = await createSuperAdmin(u.db, u.config, { role: 'owner' })

    // The first transaction demotes A and holds its locks a while before it commits.
    const first = u.db.transaction().execute(async (trx) => {
      const result = await changeSuperAdminRole(trx, a.admin.id, 'admin')
      await new Promise((resolve) => setTimeout(resolve, 300))
      return result
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const second = u.db.transaction().execute((trx) => setSuperAdminActive(trx, b.admin.id, false))

    expect(await first).toEqual({ ok: true, before: 'owner' })
    expect(await second).toEqual({ ok: false, reason: 'last_owner' })
    expect((await activeOwners()).map((o) => o.id)).toEqual([b.admin.id])
  })
})
