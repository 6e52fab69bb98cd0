import { describe, expect, it } from 'vitest'
import {
  auditEntries,
  createSuperAdmin,
  getPage,
  postForm,
  sendForm,
  signIn,
} from '../../test-support/factories.js'
import {
  t,
  owner,
  cookie,
  sessionsOf,
  state,
  useSuperAdminTestApp,
} from '../../test-support/super-admin-routes.js'

useSuperAdminTestApp()

describe('sessions and sign-in history on an admin’s page', () => {
  it('shows the active sessions and the sign-in attempts: time, address, browser, outcome', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
    await t.app.request(
      '/login',
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'http://localhost',
          'user-agent': firefox,
        },
        body: new URLSearchParams({
          email: target.admin.email,
          password: 'wrong password',
        }).toString(),
      },
      { incoming: { socket: { remoteAddress: '203.0.113.9' } } },
    )
    await signIn(t.app, target, t.clock)

    const body = await (await getPage(t.app, `/super-admins/${target.admin.id}`, cookie)).text()
    const history = body.slice(body.indexOf('id="sign-in-history"'))

    expect(body).toContain('Active sessions (1)')
    expect(history).toContain('203.0.113.9')
    expect(history).toContain('Firefox 128 on Linux')
    expect(history).toContain('wrong password')
    expect(history).toContain('signed in')
    expect(history.indexOf('signed in')).toBeLessThan(history.indexOf('wrong password'))
  })

  it('an owner ends one session of another admin; the other session goes on', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'operator' })
    const first = await signIn(t.app, target, t.clock)
    const second = await signIn(t.app, target, t.clock)
    const firstId = first.split('=')[1].split('.')[0]

    const res = await sendForm(
      t.app,
      'DELETE',
      `/super-admins/${target.admin.id}/sessions/${firstId}`,
      {},
      cookie,
    )

    expect(res.status).toBe(303)
    expect((await sessionsOf(target.admin.id)).map((s) => s.id)).not.toContain(firstId)
    expect((await getPage(t.app, '/tenants', first)).headers.get('location')).toBe(
      '/login?ended=signed-out&next=%2Ftenants',
    )
    expect((await getPage(t.app, '/tenants', second)).status).toBe(200)
    const [entry] = (await auditEntries(t.db, 'super_admin.sessions.end')).filter(
      (e) => e.target_id === target.admin.id,
    )
    expect(entry).toMatchObject({
      actor_id: owner.admin.id,
      after: { sessionId: firstId.slice(0, 8) },
    })
  })

  it('an owner ends all sessions of another admin', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'operator' })
    await signIn(t.app, target, t.clock)
    await signIn(t.app, target, t.clock)

    const res = await postForm(
      t.app,
      `/super-admins/${target.admin.id}/sessions`,
      { _method: 'DELETE' },
      cookie,
    )

    expect(res.status).toBe(303)
    expect(await sessionsOf(target.admin.id)).toHaveLength(0)
    const [entry] = (await auditEntries(t.db, 'super_admin.sessions.end')).filter(
      (e) => e.target_id === target.admin.id,
    )
    expect(entry).toMatchObject({ after: { sessionsEnded: 2 } })
  })

  it('a session of a different admin cannot be ended through this admin’s URL (404)', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'operator' })
    const bystander = await createSuperAdmin(t.db, t.config, { role: 'operator' })
    const bystanderId = (await signIn(t.app, bystander, t.clock)).split('=')[1].split('.')[0]
    const before = await state()

    const res = await sendForm(
      t.app,
      'DELETE',
      `/super-admins/${target.admin.id}/sessions/${bystanderId}`,
      {},
      cookie,
    )

    expect(res.status).toBe(404)
    expect(await state()).toEqual(before)
  })
})
