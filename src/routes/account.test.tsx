import { describe, expect, it } from 'vitest'
import { auditEntries, auditEntriesFor, sessionRow } from '../test-support/database-state.js'
import { createSuperAdmin } from '../test-support/factories.js'
import { send, sessionId, signIn, signInWithPasswordOnly } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'
import { endOwnSession } from '../operators/account.js'

// An admin's own sessions at /account (issue #3): listed, ended one by one or all but this one.

const t = useTestApp()

describe('sessions at /account', () => {
  it('lists the active sessions of the admin, marks this one, and offers to end the others', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    const other = await signIn(t.app, ada, t.clock)
    await signInWithPasswordOnly(t.app, ada)
    const current = await signIn(t.app, ada, t.clock)

    const page = await (await send(t.app, 'GET', '/account', { cookie: current })).text()

    expect(page).toContain('Active sessions (2)')
    expect(page).toContain('this session')
    expect(page).toContain(`action="/account/sessions/${sessionId(other)}"`)
    expect(page).not.toContain(`action="/account/sessions/${sessionId(current)}"`)
    expect(page).toContain('End all other sessions')
  })

  it('a session that ended meanwhile (another tab, expiry) is not audited as ended again', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    const other = await signIn(t.app, ada, t.clock)
    const context = { actor: { id: ada.admin.id, email: ada.admin.email } }
    const endedBy = async () =>
      (await auditEntries(t.db, 'auth.session.end')).filter((e) => e.actor_id === ada.admin.id)
    await endOwnSession(t.db, context, sessionId(other), new Date(t.clock.now()))
    const audited = (await endedBy()).length

    const again = await endOwnSession(t.db, context, sessionId(other), new Date(t.clock.now()))

    expect(again).toEqual({ ok: true })
    expect(audited).toBe(1)
    expect(await endedBy()).toHaveLength(1)
  })

  it('ending one other session deletes its row and audits it; that browser is back at /login', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    const other = await signIn(t.app, ada, t.clock)
    const current = await signIn(t.app, ada, t.clock)

    const res = await send(t.app, 'POST', `/account/sessions/${sessionId(other)}`, {
      fields: { _method: 'DELETE' },
      cookie: current,
    })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/account')
    expect(await sessionRow(t.db, other)).toBeUndefined()
    expect(await sessionRow(t.db, current)).toBeDefined()
    expect((await auditEntries(t.db, 'auth.session.end')).at(-1)).toMatchObject({
      actor_id: ada.admin.id,
      target_id: sessionId(other).slice(0, 8),
    })
    expect((await send(t.app, 'GET', '/tenants', { cookie: other })).headers.get('location')).toBe(
      '/login?ended=signed-out&next=%2Ftenants',
    )
  })

  it("an admin cannot end another admin's session: 404 and the row stays", async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    const bea = await createSuperAdmin(t.db, t.config)
    const beas = await signIn(t.app, bea, t.clock)
    const adas = await signIn(t.app, ada, t.clock)

    const res = await send(t.app, 'DELETE', `/account/sessions/${sessionId(beas)}`, {
      cookie: adas,
    })

    expect(res.status).toBe(404)
    expect(await sessionRow(t.db, beas)).toBeDefined()
  })

  it('ending all other sessions deletes them and keeps this one and other admins’ sessions', async () => {
    const ada = await createSuperAdmin(t.db, t.config)
    const bea = await createSuperAdmin(t.db, t.config)
    const others = [await signIn(t.app, ada, t.clock), await signIn(t.app, ada, t.clock)]
    const beas = await signIn(t.app, bea, t.clock)
    const current = await signIn(t.app, ada, t.clock)

    const res = await send(t.app, 'POST', '/account/sessions', {
      fields: { _method: 'DELETE' },
      cookie: current,
    })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/account')
    const rows = await t.db
      .selectFrom('super_admin_sessions')
      .select('id')
      .where('super_admin_id', '=', ada.admin.id)
      .execute()
    expect(rows.map((r) => r.id)).toEqual([sessionId(current)])
    expect(await sessionRow(t.db, beas)).toBeDefined()
    expect(
      (await auditEntriesFor(t.db, 'auth.session.end_others', ada)).map((e) => e.after),
    ).toEqual([{ ended: others.length }])
  })
})
