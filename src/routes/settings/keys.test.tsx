import { beforeEach, describe, expect, it } from 'vitest'
import { countAllSessions } from '../../auth/session.js'
import { SIGNING_KEY_OVERLAP_MS } from '../../auth/signing-keys.js'
import { countLiveImpersonations } from '../../db/live-impersonations.js'
import { auditEntries, countRows } from '../../test-support/database-state.js'
import { createSuperAdmin, createTenant } from '../../test-support/factories.js'
import { parseHtml, textOf } from '../../test-support/html.js'
import {
  impersonationScene,
  startSceneImpersonation,
  tokenOf,
} from '../../test-support/impersonation.js'
import { kitCall } from '../../test-support/kit-calls.js'
import { followWithFlash } from '../../test-support/plan-scenes.js'
import { cookieFrom, getPage, postForm, signIn } from '../../test-support/requests.js'
import { scopeSetCookie, SCOPE_COOKIE } from '../../test-support/scope-cookie.js'
import { useTestApp } from '../../test-support/test-app.js'

// /settings/keys (issue 10 item 6, seed 002): what each rotation ends, shown first, then ended
// in the same transaction as the rotation, audited.

const t = useTestApp()

beforeEach(async () => {
  // Each test counts from nothing live: earlier tests' impersonations end here.
  await t.db
    .updateTable('impersonations')
    .set({ ended_at: new Date(t.clock.now()), end_reason: 'ended' })
    .where('ended_at', 'is', null)
    .execute()
})

/** A live impersonation; with `redeemed`, its handoff taken by the tenant app (a kit session). */
async function liveImpersonation(redeemed: boolean) {
  const scene = await impersonationScene(t.db, t.config)
  const started = await startSceneImpersonation(t.db, t.config, scene, new Date(t.clock.now()))
  if (redeemed) {
    const res = await kitCall(t.app, scene.appToken, 'POST', '/impersonations/redeem', {
      json: { token: tokenOf(started.handoffUrl) },
    })
    if (res.status !== 200) throw new Error(`redeem failed: ${res.status}`)
  }
  return { scene, id: started.impersonation.id }
}

function impersonationRow(id: string) {
  return t.db
    .selectFrom('impersonations')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
}

function keyRows() {
  return t.db.selectFrom('signing_keys').selectAll().orderBy('created_at').execute()
}

/** A fresh owner session: the clock moves in this file, and an older one may have gone idle. */
async function freshOwner() {
  return signIn(t.app, await createSuperAdmin(t.db, t.config), t.clock)
}

/** The hidden fields of the signing-key form as the page shows them now (kid, counts). */
async function signingKeyForm(cookie: string): Promise<Record<string, string>> {
  const html = await (await getPage(t.app, '/settings/keys', cookie)).text()
  const inputs = parseHtml(html).querySelectorAll('form[action="/settings/keys/signing-key"] input')
  return Object.fromEntries(inputs.map((i) => [i.getAttribute('name')!, i.getAttribute('value')!]))
}

/** Opens the page and presses Rotate signing key: posts what the form shows. */
async function rotateFromPage(cookie: string) {
  return postForm(t.app, '/settings/keys/signing-key', await signingKeyForm(cookie), cookie)
}

describe('rotating the tenant signing key', () => {
  it('the page shows how many active impersonations and kit sessions it ends', async () => {
    const { cookie } = await t.signedInOwner()
    await liveImpersonation(false)
    await liveImpersonation(true)
    await liveImpersonation(true)

    const html = await (await getPage(t.app, '/settings/keys', cookie)).text()

    expect(textOf(html, '#live-impersonations')).toBe('3 active impersonations')
    expect(textOf(html, '#live-kit-sessions')).toBe('2 kit sessions')
    expect(textOf(html, '#signing-key-impact')).toContain('stays published for 60 minutes')
    expect(
      parseHtml(html).querySelector('form[action="/settings/keys/signing-key"] button')!.text,
    ).toBe('Rotate signing key')
  })

  it('makes a new active key, keeps the old one in the JWKS, ends every live impersonation and audits it', async () => {
    const { owner, cookie } = await t.signedInOwner()
    await getPage(t.app, '/settings/keys', cookie)
    const [before] = (await keyRows()).filter((k) => k.retired_at === null)
    const plain = await liveImpersonation(false)
    const kit = await liveImpersonation(true)

    const res = await postForm(
      t.app,
      '/settings/keys/signing-key',
      { kid: before.kid, shownImpersonations: '2', shownKitSessions: '1' },
      cookie,
    )

    expect(res.status).toBe(303)
    const keys = await keyRows()
    const active = keys.filter((k) => k.retired_at === null)
    expect(active).toHaveLength(1)
    expect(active[0].kid).not.toBe(before.kid)
    expect(keys.find((k) => k.kid === before.kid)!.retired_at).toEqual(new Date(t.clock.now()))
    const jwks = await (await t.app.request('/.well-known/jwks.json')).json()
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([active[0].kid, before.kid])
    for (const { id } of [plain, kit]) {
      expect(await impersonationRow(id)).toMatchObject({
        ended_at: new Date(t.clock.now()),
        ended_by: owner.admin.id,
        end_reason: 'ended',
      })
    }
    // The tenant app holding the kit session sees it ended at its next check.
    const check = await kitCall(t.app, kit.scene.appToken, 'GET', `/impersonations/${kit.id}`)
    expect((await check.json()).impersonation.status).toBe('ended')
    expect(await countLiveImpersonations(t.db, new Date(t.clock.now()))).toEqual({
      impersonations: 0,
      kitSessions: 0,
    })
    const entry = (await auditEntries(t.db, 'settings.signing_key.rotate')).at(-1)!
    expect(entry).toMatchObject({
      actor_id: owner.admin.id,
      target_id: active[0].kid,
      before: { kid: before.kid },
      after: {
        kid: active[0].kid,
        impersonationsEnded: 2,
        kitSessionsEnded: 1,
        endedImpersonations: [plain.id, kit.id],
      },
    })
    expect(JSON.stringify(entry)).not.toMatch(/private|"d":/)
    expect(
      (await auditEntries(t.db, 'impersonation.end')).slice(-2).map((e) => e.target_id),
    ).toEqual([plain.id, kit.id])
    expect(await followWithFlash(t.app, res, cookie)).toContain(
      'Signing key rotated: 2 active impersonations ended, 1 kit session among them. The old key stays in the JWKS for one hour.',
    )
  })

  it('reports what actually ended when it differs from what the page showed', async () => {
    const { cookie } = await t.signedInOwner()
    const { kid } = await signingKeyForm(cookie)
    await liveImpersonation(true)

    const res = await postForm(
      t.app,
      '/settings/keys/signing-key',
      { kid, shownImpersonations: '0', shownKitSessions: '0' },
      cookie,
    )

    expect(await followWithFlash(t.app, res, cookie)).toContain(
      '1 active impersonation ended, 1 kit session among them. The old key stays in the JWKS for one hour. The page had shown 0 and 0: impersonations started or ended in between.',
    )
  })

  it('the form names the active key it shows, and an empty kid while none exists', async () => {
    const cookie = await freshOwner()
    await t.db.deleteFrom('signing_keys').execute()
    expect((await signingKeyForm(cookie)).kid).toBe('')

    const first = await rotateFromPage(cookie)

    expect(await followWithFlash(t.app, first, cookie)).toContain('Signing key rotated')
    const [active] = await keyRows()
    expect(active).toMatchObject({ retired_at: null })
    expect((await signingKeyForm(cookie)).kid).toBe(active.kid)
    expect(
      textOf(await (await getPage(t.app, '/settings/keys', cookie)).text(), '#signing-key'),
    ).toContain(active.kid)
  })

  it('a form sent twice rotates once: the second finds another key, says so and changes nothing', async () => {
    const cookie = await freshOwner()
    const imp = await liveImpersonation(true)
    const form = await signingKeyForm(cookie)
    const first = await postForm(t.app, '/settings/keys/signing-key', form, cookie)
    expect(await followWithFlash(t.app, first, cookie)).toContain('Signing key rotated: 1 active')
    const keys = await keyRows()
    const rotations = (await auditEntries(t.db, 'settings.signing_key.rotate')).length
    // Started after the first rotation: the second one must not end it either.
    const later = await liveImpersonation(false)

    const second = await postForm(t.app, '/settings/keys/signing-key', form, cookie)

    expect(second.status).toBe(303)
    expect(second.headers.get('location')).toBe('/settings/keys')
    expect(await followWithFlash(t.app, second, cookie)).toContain(
      'The signing key was rotated meanwhile (another owner, or this form sent twice); this request changed nothing.',
    )
    expect(await keyRows()).toEqual(keys)
    expect(await auditEntries(t.db, 'settings.signing_key.rotate')).toHaveLength(rotations)
    expect(await impersonationRow(imp.id)).toMatchObject({ end_reason: 'ended' })
    expect(await impersonationRow(later.id)).toMatchObject({ ended_at: null })
  })

  it('a form that does not name the key it showed is refused with 400 and no key changes', async () => {
    const cookie = await freshOwner()
    const live = await liveImpersonation(false)
    const keys = await keyRows()

    const res = await postForm(
      t.app,
      '/settings/keys/signing-key',
      { shownImpersonations: '1', shownKitSessions: '0' },
      cookie,
    )

    expect(res.status).toBe(400)
    expect(await res.text()).toContain('Malformed rotation request; nothing was changed.')
    expect(await keyRows()).toEqual(keys)
    expect(await impersonationRow(live.id)).toMatchObject({ ended_at: null })
  })

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'on a server, the same form sent twice at once while impersonations are live rotates once',
    async () => {
      const cookie = await freshOwner()
      const imps = [await liveImpersonation(true), await liveImpersonation(false)]
      const form = await signingKeyForm(cookie)
      const rotations = (await auditEntries(t.db, 'settings.signing_key.rotate')).length
      const kidsBefore = (await keyRows()).map((k) => k.kid)

      const [a, b] = await Promise.all([
        postForm(t.app, '/settings/keys/signing-key', form, cookie),
        postForm(t.app, '/settings/keys/signing-key', form, cookie),
      ])

      const flashes = [
        await followWithFlash(t.app, a, cookie),
        await followWithFlash(t.app, b, cookie),
      ]
      expect(flashes.filter((f) => f.includes('Signing key rotated: 2 active'))).toHaveLength(1)
      expect(
        flashes.filter((f) => f.includes('The signing key was rotated meanwhile')),
      ).toHaveLength(1)
      const keys = await keyRows()
      expect(keys.filter((k) => k.retired_at === null)).toHaveLength(1)
      expect(keys.find((k) => k.kid === form.kid)!.retired_at).not.toBeNull()
      // One new key only, the winner's: the loser left nothing behind.
      expect(keys.filter((k) => !kidsBefore.includes(k.kid))).toHaveLength(1)
      expect(await auditEntries(t.db, 'settings.signing_key.rotate')).toHaveLength(rotations + 1)
      for (const { id } of imps) {
        expect(await impersonationRow(id)).toMatchObject({ end_reason: 'ended' })
      }
    },
  )

  it('leaves a lapsed impersonation to the expiry job: it is neither counted nor ended here', async () => {
    const lapsed = await liveImpersonation(false)
    t.clock.advance(31 * 60 * 1000)
    // Signed in after the 30 minutes: an earlier session would have gone idle.
    const cookie = await signIn(t.app, await createSuperAdmin(t.db, t.config), t.clock)

    expect((await rotateFromPage(cookie)).status).toBe(303)

    expect(await impersonationRow(lapsed.id)).toMatchObject({ ended_at: null })
    expect((await auditEntries(t.db, 'settings.signing_key.rotate')).at(-1)!.after).toMatchObject({
      impersonationsEnded: 0,
      kitSessionsEnded: 0,
    })
  })

  it('the retired key leaves the JWKS one hour after the rotation', async () => {
    const cookie = await signIn(t.app, await createSuperAdmin(t.db, t.config), t.clock)
    await rotateFromPage(cookie)
    const retired = (await keyRows()).filter((k) => k.retired_at !== null).at(-1)!
    const published = async () =>
      (await (await t.app.request('/.well-known/jwks.json')).json()).keys.map(
        (k: { kid: string }) => k.kid,
      )

    expect(await published()).toContain(retired.kid)
    t.clock.advance(SIGNING_KEY_OVERLAP_MS + 1000)
    expect(await published()).not.toContain(retired.kid)
  })

  it('an admin may neither see nor rotate, and no key changes', async () => {
    const admin = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    const cookie = await signIn(t.app, admin, t.clock)
    const before = await keyRows()

    expect((await getPage(t.app, '/settings/keys', cookie)).status).toBe(403)
    expect((await postForm(t.app, '/settings/keys/signing-key', {}, cookie)).status).toBe(403)
    expect(await keyRows()).toEqual(before)
  })
})

describe('rotating the super-admin secret', () => {
  it('the page shows how many sessions it ends', async () => {
    const cookie = await signIn(t.app, await createSuperAdmin(t.db, t.config), t.clock)
    await signIn(t.app, await createSuperAdmin(t.db, t.config), t.clock)
    // Live sessions only: rows past the idle or absolute limit end anyway.
    const policy = {
      idleSeconds: t.config.sessionIdleSeconds,
      absoluteSeconds: t.config.sessionAbsoluteSeconds,
    }
    const sessions = await countAllSessions(t.db, policy, new Date(t.clock.now()))

    const html = await (await getPage(t.app, '/settings/keys', cookie)).text()

    expect(textOf(html, '#secret-session-count')).toBe(`${sessions} sessions`)
  })

  it('ends every session, voids cookies signed before, audits without the secret, and sends the owner to /login', async () => {
    const owner = await createSuperAdmin(t.db, t.config)
    const cookie = await signIn(t.app, owner, t.clock)
    const other = await signIn(t.app, await createSuperAdmin(t.db, t.config), t.clock)
    const tenant = await createTenant(t.db)
    const scoped = await postForm(t.app, '/scope', { mode: 'customer', tenant: tenant.id }, cookie)
    const scope = cookieFrom(scoped, SCOPE_COOKIE)!
    // Before: the scope cookie is honoured (no reset).
    const honoured = await getPage(t.app, '/tenants', `${cookie}; ${scope}`)
    expect(honoured.status).toBe(200)
    expect(scopeSetCookie(honoured)).toBeUndefined()
    const sessions = await countRows(t.db, 'super_admin_sessions')
    const secretBefore = await t.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'cookie_secret')
      .executeTakeFirst()

    const res = await postForm(t.app, '/settings/keys/super-admin-secret', {}, cookie)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login')
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(0)
    expect((await getPage(t.app, '/tenants', other)).headers.get('location')).toMatch(/^\/login/)
    const secretAfter = await t.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'cookie_secret')
      .executeTakeFirstOrThrow()
    expect(secretAfter.value).not.toEqual(secretBefore?.value)
    // After: the same scope cookie fails its signature and is reset; the console shows all.
    const again = await signIn(t.app, owner, t.clock)
    const ignored = await getPage(t.app, '/tenants', `${again}; ${scope}`)
    expect(ignored.status).toBe(200)
    expect(scopeSetCookie(ignored)).toMatch(/^fleetdeck_scope=; Max-Age=0/)
    const entry = (await auditEntries(t.db, 'settings.super_admin_secret.rotate')).at(-1)!
    expect(entry).toMatchObject({
      actor_id: owner.admin.id,
      after: { cookieSecret: 'changed', sessionsEnded: sessions },
    })
    expect(JSON.stringify(entry)).not.toContain((secretAfter.value as { sealed: string }).sealed)
    // The sign-in page reads the flash, signed with the new secret.
    const login = await getPage(t.app, '/login', cookieFrom(res, 'fleetdeck_flash'))
    expect(await login.text()).toContain(
      `Super-admin secret rotated: ${sessions} sessions ended, yours included`,
    )
  })

  it('an admin is refused and no session ends', async () => {
    const admin = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    const cookie = await signIn(t.app, admin, t.clock)
    const before = await countRows(t.db, 'super_admin_sessions')

    const res = await postForm(t.app, '/settings/keys/super-admin-secret', {}, cookie)

    expect(res.status).toBe(403)
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(before)
  })
})

// Last: moving the clock past the step-up window ages every session of this file.
describe('step-up', () => {
  it('both rotations ask for a fresh TOTP code first and change nothing meanwhile', async () => {
    const owner = await createSuperAdmin(t.db, t.config)
    const cookie = await signIn(t.app, owner, t.clock)
    const keys = await keyRows()
    const sessions = await countRows(t.db, 'super_admin_sessions')
    t.clock.advance(11 * 60 * 1000)

    const a = await postForm(t.app, '/settings/keys/signing-key', {}, cookie)
    const b = await postForm(t.app, '/settings/keys/super-admin-secret', {}, cookie)

    expect(a.headers.get('location')).toMatch(/^\/step-up\?next=/)
    expect(b.headers.get('location')).toMatch(/^\/step-up\?next=/)
    expect(await keyRows()).toEqual(keys)
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(sessions)
  })
})
