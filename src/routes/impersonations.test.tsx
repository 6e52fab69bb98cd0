import { describe, expect, it } from 'vitest'
import { POLL_HEADER } from '../web/guards.js'
import {
  createAppKey,
  createSuperAdmin,
  createUser,
  addMembership,
} from '../test-support/factories.js'
import { auditEntries, sessionRow } from '../test-support/database-state.js'
import {
  impersonationCounts,
  impersonationScene,
  startSceneImpersonation,
  tenantEntries,
  tokenOf,
  type ImpersonationScene,
} from '../test-support/impersonation.js'
import { getPage, postForm, signIn } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'
import { decodeJwt } from 'jose'

// "View as" in the console (issue 8 item 2): the form, its refusals, step-up for read-write,
// the banner on every page, the list, End and Open app.

const t = useTestApp()
const now = () => new Date(t.clock.now())

async function signedInScene(o: { role?: 'owner' | 'admin' | 'support' } = {}) {
  const s = await impersonationScene(t.db, t.config, o)
  return { s, cookie: await signIn(t.app, s.operator, t.clock) }
}

function startForm(s: ImpersonationScene, o: Record<string, string> = {}) {
  return {
    tenant: s.tenant.id,
    user: s.user.id,
    reason: 'Customer says the board is empty',
    ticket: 'SUP-77',
    duration: '30',
    mode: 'read_only',
    app: s.appKey.id,
    ...o,
  }
}

async function openRow(s: ImpersonationScene) {
  return t.db
    .selectFrom('impersonations')
    .selectAll()
    .where('operator_id', '=', s.operator.admin.id)
    .where('ended_at', 'is', null)
    .executeTakeFirst()
}

describe('starting from the console', () => {
  it('shows the form with read-only and 30 minutes chosen, and the app origin allowed as a form target', async () => {
    const { s, cookie } = await signedInScene()
    const res = await getPage(
      t.app,
      `/impersonations/new?user=${s.user.id}&tenant=${s.tenant.id}`,
      cookie,
    )
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain(`View ${s.tenant.name} as ${s.user.email}`)
    expect(html).toMatch(/<input[^>]*value="read_only"[^>]*checked/)
    expect(html).toMatch(/<option value="30" selected/)
    expect(res.headers.get('content-security-policy')).toContain(
      "form-action 'self' http://127.0.0.1:3001",
    )
  })

  it('starts read-only and sends the browser to the tenant app with a handoff', async () => {
    const { s, cookie } = await signedInScene()

    const res = await postForm(t.app, '/impersonations', startForm(s), cookie)

    expect(res.status).toBe(303)
    const location = res.headers.get('location')!
    expect(location.startsWith(`${s.appKey.appUrl}/_fleetdeck/handoff?token=`)).toBe(true)
    const row = await openRow(s)
    expect(row).toMatchObject({ mode: 'read_only', ticket: 'SUP-77', user_id: s.user.id })
    expect(decodeJwt(tokenOf(location))).toMatchObject({ imp: row!.id, jti: row!.handoff_jti })
    const [entry] = (await auditEntries(t.db, 'impersonation.start')).filter(
      (e) => e.target_id === row!.id,
    )
    expect(entry).toMatchObject({ actor_id: s.operator.admin.id, impersonated_user_id: s.user.id })
    expect(await tenantEntries(t.db, s.tenant.slug, 'support.impersonation_started')).toHaveLength(
      1,
    )
  })

  it('answers 422 with the message next to the field for a short reason, writing nothing', async () => {
    const { s, cookie } = await signedInScene()
    const before = await impersonationCounts(t.db, s.tenant.slug)
    const res = await postForm(
      t.app,
      '/impersonations',
      startForm(s, { reason: 'because' }),
      cookie,
    )
    expect(res.status).toBe(422)
    expect(await res.text()).toMatch(/id="field-reason-error"[^>]*>Give a reason of at least 10/)
    expect(await impersonationCounts(t.db, s.tenant.slug)).toEqual(before)
  })

  it('refuses a disabled user and a second impersonation with a clear message, writing nothing', async () => {
    const { s, cookie } = await signedInScene()
    await t.db
      .updateTable('users')
      .set({ status: 'disabled' })
      .where('id', '=', s.user.id)
      .execute()
    const before = await impersonationCounts(t.db, s.tenant.slug)
    const disabled = await postForm(t.app, '/impersonations', startForm(s), cookie)
    expect(disabled.status).toBe(422)
    expect(await disabled.text()).toContain('is disabled')
    expect(await impersonationCounts(t.db, s.tenant.slug)).toEqual(before)

    await t.db.updateTable('users').set({ status: 'active' }).where('id', '=', s.user.id).execute()
    expect((await postForm(t.app, '/impersonations', startForm(s), cookie)).status).toBe(303)
    const middle = await impersonationCounts(t.db, s.tenant.slug)
    const second = await postForm(t.app, '/impersonations', startForm(s), cookie)
    expect(second.status).toBe(422)
    expect(await second.text()).toContain('end the first impersonation')
    expect(await impersonationCounts(t.db, s.tenant.slug)).toEqual(middle)
  })

  it('asks for a fresh code before read-write, then needs the tenant slug typed', async () => {
    const { s, cookie } = await signedInScene({ role: 'admin' })
    t.clock.advance(11 * 60_000)
    const formUrl = `/impersonations/new?user=${s.user.id}&tenant=${s.tenant.id}`
    const rw = startForm(s, { mode: 'read_write', confirmSlug: s.tenant.slug })

    const stale = await postForm(t.app, '/impersonations', rw, cookie, {
      referer: `http://localhost${formUrl}`,
    })

    expect(stale.status).toBe(303)
    expect(stale.headers.get('location')).toBe(`/step-up?next=${encodeURIComponent(formUrl)}`)
    expect(await openRow(s)).toBeUndefined()

    const fresh = await signIn(t.app, s.operator, t.clock)
    const wrongSlug = await postForm(
      t.app,
      '/impersonations',
      { ...rw, confirmSlug: 'nope' },
      fresh,
    )
    expect(wrongSlug.status).toBe(422)
    expect(await wrongSlug.text()).toContain(`Type ${s.tenant.slug} to confirm read-write.`)
    expect(await openRow(s)).toBeUndefined()
    expect((await postForm(t.app, '/impersonations', rw, fresh)).status).toBe(303)
    expect(await openRow(s)).toMatchObject({ mode: 'read_write' })
  })

  it('shows the app choice when several tenant apps are connected', async () => {
    const { s, cookie } = await signedInScene()
    await createAppKey(t.db, { name: 'Second app', appUrl: 'http://second.example' })
    const res = await postForm(t.app, '/impersonations', startForm(s, { app: '' }), cookie)
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('Choose the tenant app to open.')
    expect(html).toContain('<select id="field-app"')
  })
})

describe('the banner', () => {
  it('shows on every console page while active, with Open app and End, and goes after End', async () => {
    const { s, cookie } = await signedInScene()
    const { impersonation } = await startSceneImpersonation(t.db, t.config, s, now())
    t.clock.advance(30_000)

    const page = await (await getPage(t.app, '/tenants', cookie)).text()

    expect(page).toContain('role="status"')
    expect(page).toContain(
      `${s.operator.admin.email} viewing ${s.tenant.name} as ${s.user.email} — read-only — 29 min left`,
    )
    expect(page).toContain(`action="/impersonations/${impersonation.id}/handoff"`)
    const end = await postForm(t.app, `/impersonations/${impersonation.id}/end`, {}, cookie)
    expect(end.status).toBe(303)
    expect(await (await getPage(t.app, '/tenants', cookie)).text()).not.toContain(
      'impersonation-banner',
    )
    const poll = await getPage(t.app, '/impersonations/banner', cookie, {
      'hx-request': 'true',
      [POLL_HEADER]: '1',
    })
    expect(await poll.text()).toBe('')
    expect(await tenantEntries(t.db, s.tenant.slug, 'support.impersonation_ended')).toHaveLength(1)
  })

  it('polling the banner does not extend the session', async () => {
    const { s, cookie } = await signedInScene()
    await startSceneImpersonation(t.db, t.config, s, now())
    const before = (await sessionRow(t.db, cookie))!.last_active_at
    t.clock.advance(5 * 60_000)

    const poll = await getPage(t.app, '/impersonations/banner', cookie, {
      'hx-request': 'true',
      [POLL_HEADER]: '1',
    })

    expect(poll.status).toBe(200)
    expect(await poll.text()).toContain('25 min left')
    expect((await sessionRow(t.db, cookie))!.last_active_at).toEqual(before)
    await getPage(t.app, '/tenants', cookie)
    expect((await sessionRow(t.db, cookie))!.last_active_at).not.toEqual(before)
  })

  it('Open app issues a fresh handoff that replaces the previous one', async () => {
    const { s, cookie } = await signedInScene()
    const { impersonation, handoffUrl } = await startSceneImpersonation(t.db, t.config, s, now())

    const res = await postForm(t.app, `/impersonations/${impersonation.id}/handoff`, {}, cookie)

    expect(res.status).toBe(303)
    const jti = decodeJwt(tokenOf(res.headers.get('location')!)).jti
    expect(jti).not.toBe(decodeJwt(tokenOf(handoffUrl)).jti)
    expect((await openRow(s))!.handoff_jti).toBe(jti)
    expect(
      (await auditEntries(t.db, 'impersonation.handoff_issued')).some(
        (e) => e.target_id === impersonation.id,
      ),
    ).toBe(true)
  })
})

describe('the list and who may end what', () => {
  it('lists impersonations with filters; only owners see End on another operator’s', async () => {
    const a = await signedInScene()
    const b = await signedInScene()
    const owner = await signedInScene({ role: 'owner' })
    const { impersonation } = await startSceneImpersonation(t.db, t.config, a.s, now())
    const endButton = `aria-label="End ${a.s.operator.admin.email}’s impersonation`

    const asB = await (
      await getPage(t.app, `/impersonations?tenant=${a.s.tenant.slug}&status=active`, b.cookie)
    ).text()
    expect(asB).toContain(a.s.user.email)
    expect(asB).not.toContain(endButton)
    const asOwner = await (
      await getPage(t.app, `/impersonations?operator=${a.s.operator.admin.email}`, owner.cookie)
    ).text()
    expect(asOwner).toContain(endButton)
    const ended = await (
      await getPage(t.app, `/impersonations?tenant=${a.s.tenant.slug}&status=ended`, owner.cookie)
    ).text()
    expect(ended).toContain('No impersonations match.')

    expect(
      (await postForm(t.app, `/impersonations/${impersonation.id}/end`, {}, b.cookie)).status,
    ).toBe(403)
    expect(await openRow(a.s)).toBeDefined()
    expect(
      (await postForm(t.app, `/impersonations/${impersonation.id}/end`, {}, owner.cookie)).status,
    ).toBe(303)
    expect(await openRow(a.s)).toBeUndefined()
    const [entry] = (await auditEntries(t.db, 'impersonation.end')).filter(
      (e) => e.target_id === impersonation.id,
    )
    expect(entry.actor_id).toBe(owner.s.operator.admin.id)
  })
})

describe('View as links', () => {
  it('appear on membership rows and the tenant page for roles that may impersonate, only for active or suspended tenants', async () => {
    const { s, cookie } = await signedInScene()
    const userPage = await (await getPage(t.app, `/users/${s.user.id}`, cookie)).text()
    expect(userPage).toContain(`aria-label="View as ${s.user.email} in ${s.tenant.slug}"`)
    const tenantPage = await (await getPage(t.app, `/tenants/${s.tenant.id}`, cookie)).text()
    expect(tenantPage).toContain(`View as ${s.tenant.firstAdminEmail}`)
    const viewer = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    const viewerCookie = await signIn(t.app, viewer, t.clock)
    expect(await (await getPage(t.app, `/users/${s.user.id}`, viewerCookie)).text()).not.toContain(
      'View as',
    )
    await t.db
      .updateTable('tenants')
      .set({ status: 'failed' })
      .where('id', '=', s.tenant.id)
      .execute()
    expect(await (await getPage(t.app, `/users/${s.user.id}`, cookie)).text()).not.toContain(
      'View as',
    )
  })

  it('the tenant page’s link opens the form for its first admin', async () => {
    const { s, cookie } = await signedInScene()
    const res = await getPage(t.app, `/impersonations/new?tenant=${s.tenant.id}`, cookie)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain(`as ${s.tenant.firstAdminEmail}`)
  })
})

describe('a tenant user’s app session', () => {
  it('opens nothing in the console', async () => {
    const user = await createUser(t.db)
    const { s } = await signedInScene()
    await addMembership(t.db, user, s.tenant)
    for (const cookie of [
      'fleetdeck_imp=abc.def',
      `tenant_session=${user.id}`,
      'fleetdeck_session=forged.value',
    ]) {
      const res = await getPage(t.app, '/tenants', cookie)
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toMatch(/^\/login/)
    }
  })
})
