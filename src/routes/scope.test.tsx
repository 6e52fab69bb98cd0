import { beforeAll, describe, expect, it } from 'vitest'
import { appendAuditEntry } from '../db/audit-log.js'
import type { Tenant } from '../db/tenants.js'
import { deleteTestTenant } from '../test-support/deletion.js'
import { countRows } from '../test-support/database-state.js'
import { createSuperAdmin, createTenant, uniqueSuffix } from '../test-support/factories.js'
import {
  alertText,
  headings,
  parseHtml,
  readableText,
  tableRows,
  textOf,
  textsOf,
} from '../test-support/html.js'
import { cookieFrom, getPage, postForm, send, signIn } from '../test-support/requests.js'
import {
  scopeIn,
  scopeSetCookie,
  signedScopeCookie,
  SCOPE_COOKIE,
} from '../test-support/scope-cookie.js'
import { useTestApp } from '../test-support/test-app.js'

const t = useTestApp()
let session: string
let acme: Tenant
let globex: Tenant

beforeAll(async () => {
  ;({ cookie: session } = await t.signedInOwner())
  const suffix = uniqueSuffix()
  acme = await createTenant(t.db, { slug: `acme-${suffix}`, name: `Acme ${suffix}` })
  globex = await createTenant(t.db, { slug: `globex-${suffix}`, name: `Globex ${suffix}` })
  // One audit entry about each, besides their onboarding's.
  for (const tenant of [acme, globex])
    await t.db
      .transaction()
      .execute((trx) =>
        appendAuditEntry(trx, { actor: null }, { action: 'test.poke', tenantId: tenant.id }),
      )
})

/**
 * A browser's cookies besides the session: the scope cookie (`scope`) and whatever else the app
 * sets (the flash), kept and dropped as Set-Cookie says.
 */
type Browser = { scope?: string; others: Map<string, string> }
const browser = (): Browser => ({ others: new Map() })

function cookies(b: Browser, as = session): string {
  return [as, b.scope, ...b.others.values()].filter(Boolean).join('; ')
}

/** Keeps what the response did to the cookies, as a browser would. */
function keep(b: Browser, res: Response): Response {
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(';')[0]
    const name = pair.slice(0, pair.indexOf('='))
    const gone = pair.endsWith('=') || /Max-Age=0/.test(line)
    if (name === SCOPE_COOKIE) b.scope = gone ? undefined : pair
    else if (gone) b.others.delete(name)
    else b.others.set(name, pair)
  }
  return res
}

function get(b: Browser, path: string, headers: Record<string, string> = {}) {
  return getPage(t.app, path, cookies(b), headers).then((res) => keep(b, res))
}

function setScope(b: Browser, fields: Record<string, string>) {
  return postForm(t.app, '/scope', fields, cookies(b)).then((res) => keep(b, res))
}

/** The slugs of the /tenants table. */
async function tenantSlugs(b: Browser, query = ''): Promise<string[]> {
  const html = await (await get(b, `/tenants${query}`)).text()
  return textsOf(html, '#tenant-table tbody td:first-child a')
}

/** The scope bar's words: "All customers" or "Scoped to ‹name› (‹slug›)". */
function scopeLabel(html: string): string | undefined {
  return textOf(html, '#scope-label')
}

describe('setting the scope', () => {
  it('narrowing to one customer changes /tenants and /audit and says so in the top bar', async () => {
    const b = browser()
    const auditBefore = await countRows(t.db, 'audit_log')
    const res = await setScope(b, { mode: 'customer', tenant: acme.id, next: '/audit' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/audit')
    expect(scopeIn(b.scope!)).toEqual({ mode: 'customer', tenant: acme.id, recent: [acme.id] })

    const audit = await (await get(b, '/audit')).text()
    expect(scopeLabel(audit)).toBe(`Scoped to ${acme.name} (${acme.slug})`)
    expect(textOf(audit, '[role="status"]')).toBe(`Scoped to ${acme.name} (${acme.slug}).`)
    const rows = tableRows(audit)
    expect(rows.length).toBeGreaterThan(0)
    // Only Acme's entries, and no tenant column to say so on every row.
    expect(Object.keys(rows[0])).not.toContain('Tenant')
    const seqs = [...audit.matchAll(/data-seq="(\d+)"/g)].map((m) => Number(m[1]))
    const tenantsOfRows = await t.db
      .selectFrom('audit_log')
      .select('tenant_id')
      .distinct()
      .where('seq', 'in', seqs)
      .execute()
    expect(tenantsOfRows).toEqual([{ tenant_id: acme.id }])
    expect(parseHtml(audit).querySelector('input[name="tenant"]')).toBeNull()

    expect(await tenantSlugs(b)).toEqual([acme.slug])
    // A preference, not an action: nothing is written to the audit log.
    expect(await countRows(t.db, 'audit_log')).toBe(auditBefore)
  })

  it('flipping back to all customers shows every tenant again, with the tenant column', async () => {
    const b = browser()
    await setScope(b, { mode: 'customer', tenant: acme.id, next: '/tenants' })
    const res = await setScope(b, { mode: 'all', next: '/tenants' })
    expect(res.headers.get('location')).toBe('/tenants')
    expect(scopeIn(b.scope!)).toEqual({ mode: 'all', recent: [acme.id] })

    const tenants = await (await get(b, '/tenants')).text()
    expect(scopeLabel(tenants)).toBe('All customers')
    expect(await tenantSlugs(b)).toEqual(expect.arrayContaining([acme.slug, globex.slug]))
    const audit = await (await get(b, '/audit')).text()
    const slugs = tableRows(audit).map((row) => row.Tenant)
    expect(slugs).toEqual(expect.arrayContaining([acme.slug, globex.slug]))
  })

  it('the status counts and the htmx table follow the scope', async () => {
    const b = browser()
    await setScope(b, { mode: 'customer', tenant: globex.id })
    const page = await (await get(b, '/tenants')).text()
    expect(textOf(page, '#tenant-status-option-active')).toBe('active (1)')
    const fragment = await (
      await get(b, `/tenants?q=${acme.slug}`, { 'hx-request': 'true' })
    ).text()
    expect(fragment).not.toContain('<html')
    expect(textOf(fragment, '#tenant-table span')).toMatch(/^0 tenants/)
  })

  it('the admin-mode toggle narrows to the most recently viewed customer', async () => {
    const b = browser()
    await get(b, `/tenants/${globex.id}`)
    await get(b, `/tenants/${acme.id}`)
    const res = await setScope(b, { mode: 'customer', next: '/tenants' })
    expect(res.headers.get('location')).toBe('/tenants')
    expect(scopeIn(b.scope!).tenant).toBe(acme.id)
    expect(await tenantSlugs(b)).toEqual([acme.slug])
  })

  it('the toggle with nothing viewed yet opens the picker, returning to the page', async () => {
    const b = browser()
    const res = await setScope(b, { mode: 'customer', next: '/audit?action=test.poke' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/scope/picker?next=%2Faudit%3Faction%3Dtest.poke')
    expect(b.scope).toBeUndefined()
  })

  it('the choice survives signing out and in again', async () => {
    const who = await createSuperAdmin(t.db, t.config)
    const b = browser()
    const first = await signIn(t.app, who, t.clock)
    await postForm(
      t.app,
      '/scope',
      { mode: 'customer', tenant: globex.id },
      cookies(b, first),
    ).then((res) => keep(b, res))
    const out = await postForm(t.app, '/logout', {}, cookies(b, first))
    expect(out.headers.get('location')).toBe('/login')
    expect(scopeSetCookie(out)).toBeUndefined()

    const again = await signIn(t.app, who, t.clock)
    const html = await (await getPage(t.app, '/tenants', cookies(b, again))).text()
    expect(scopeLabel(html)).toBe(`Scoped to ${globex.name} (${globex.slug})`)
  })

  it('every role may choose its scope', async () => {
    const viewer = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    const cookie = await signIn(t.app, viewer, t.clock)
    const res = await postForm(t.app, '/scope', { mode: 'customer', tenant: acme.id }, cookie)
    expect(res.status).toBe(303)
    const scope = cookieFrom(res, SCOPE_COOKIE)!
    const html = await (await getPage(t.app, '/tenants', `${cookie}; ${scope}`)).text()
    expect(scopeLabel(html)).toBe(`Scoped to ${acme.name} (${acme.slug})`)
  })
})

describe('refusals', () => {
  it('a next address off this site is refused: the scope is set and the browser stays here', async () => {
    for (const next of [
      'https://evil.example/x',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
      '/scope/picker',
    ]) {
      const res = await setScope(browser(), { mode: 'all', next })
      expect(res.status, next).toBe(303)
      expect(res.headers.get('location'), next).toBe('/tenants')
    }
  })

  it('bad input changes nothing: an unknown mode is 400, a bad, unknown or deleted tenant 404', async () => {
    const gone = await createTenant(t.db)
    await deleteTestTenant(t.database, gone.id, { now: new Date() })
    const cases: [Record<string, string>, number][] = [
      [{ mode: 'everything' }, 400],
      [{}, 400],
      [{ mode: 'customer', tenant: 'acme' }, 404],
      [{ mode: 'customer', tenant: "' or 1=1 --" }, 404],
      [{ mode: 'customer', tenant: '3f0c4b6e-8a55-4c1e-9a8e-0d4f2b7c6a11' }, 404],
      [{ mode: 'customer', tenant: gone.id }, 404],
    ]
    for (const [fields, status] of cases) {
      const b: Browser = {
        scope: await signedScopeCookie(t.config, { mode: 'all', recent: [] }),
        others: new Map(),
      }
      const res = await setScope(b, fields)
      expect(res.status, JSON.stringify(fields)).toBe(status)
      expect(scopeSetCookie(res), JSON.stringify(fields)).toBeUndefined()
    }
  })

  it('a scope change posted from another site is refused', async () => {
    const res = await send(t.app, 'POST', '/scope', {
      fields: { mode: 'customer', tenant: acme.id },
      cookie: session,
      origin: 'https://evil.example',
    })
    expect(res.status).toBe(403)
    expect(scopeSetCookie(res)).toBeUndefined()
  })

  it('a tampered scope cookie is ignored and reset: the page shows all customers', async () => {
    const genuine = await signedScopeCookie(t.config, {
      mode: 'customer',
      tenant: acme.id,
      recent: [],
    })
    const b: Browser = { scope: genuine.replace(acme.id, globex.id), others: new Map() }
    const res = await get(b, '/tenants')
    const html = await res.text()
    expect(scopeLabel(html)).toBe('All customers')
    expect(scopeSetCookie(res)).toMatch(/^fleetdeck_scope=; Max-Age=0/)
    expect(b.scope).toBeUndefined()
    expect(await tenantSlugs(b)).toEqual(expect.arrayContaining([acme.slug, globex.slug]))
  })

  it('a scope naming a deleted tenant falls back to all customers with a flash', async () => {
    const gone = await createTenant(t.db, { name: 'Initech' })
    const b = browser()
    await setScope(b, { mode: 'customer', tenant: gone.id })
    await deleteTestTenant(t.database, gone.id, { now: new Date() })

    const html = await (await get(b, '/audit')).text()
    expect(scopeLabel(html)).toBe('All customers')
    expect(textOf(html, '[role="status"]')).toBe(
      `Initech (${gone.slug}) was deleted: the console shows all customers again.`,
    )
    expect(scopeIn(b.scope!)).toEqual({ mode: 'all', recent: [] })
    expect(tableRows(html).some((row) => row.Tenant !== undefined)).toBe(true)
  })
})

describe('recently viewed', () => {
  it('opening tenant pages records them most recent first, without duplicates, 8 at most', async () => {
    const b = browser()
    const ten: Tenant[] = []
    for (let i = 0; i < 10; i++) ten.push(await createTenant(t.db))
    for (const tenant of ten.slice(0, 9)) await get(b, `/tenants/${tenant.id}`)
    expect(scopeIn(b.scope!).recent).toEqual(
      ten
        .slice(1, 9)
        .map((x) => x.id)
        .reverse(),
    )
    await get(b, `/tenants/${ten[4].id}`)
    const recent = scopeIn(b.scope!).recent
    expect(recent[0]).toBe(ten[4].id)
    expect(new Set(recent).size).toBe(8)
    // A missing tenant is not recorded.
    const res = await get(b, '/tenants/3f0c4b6e-8a55-4c1e-9a8e-0d4f2b7c6a11')
    expect(res.status).toBe(404)
    expect(scopeIn(b.scope!).recent).toEqual(recent)
  })

  it('viewing a tenant keeps the scope as chosen', async () => {
    const b = browser()
    await setScope(b, { mode: 'customer', tenant: acme.id })
    await get(b, `/tenants/${globex.id}`)
    expect(scopeIn(b.scope!)).toEqual({
      mode: 'customer',
      tenant: acme.id,
      recent: [globex.id, acme.id],
    })
  })
})

describe('the customer picker', () => {
  /** The picker's choices, top to bottom, as read aloud. */
  const choices = (html: string) => textsOf(html, '#scope-picker-results button')

  it('lists All customers, then the recently viewed, then the rest by name', async () => {
    const b = browser()
    await get(b, `/tenants/${globex.id}`)
    await get(b, `/tenants/${acme.id}`)
    const res = await get(b, '/scope/picker?next=%2Faudit', { 'hx-request': 'true' })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).not.toContain('<html')
    const list = choices(html)
    // Mode all is the current choice.
    expect(list.slice(0, 3)).toEqual([
      '✓ All customers',
      `${acme.name} (${acme.slug})`,
      `${globex.name} (${globex.slug})`,
    ])
    expect(list.filter((c) => c.includes(acme.slug))).toHaveLength(1)
    // The choices post back to /scope and return to the page the picker was opened from.
    const forms = parseHtml(html).querySelectorAll('#scope-picker-results form')
    expect(forms.every((f) => f.getAttribute('action') === '/scope')).toBe(true)
    expect(
      forms.every((f) => f.querySelector('input[name="next"]')?.getAttribute('value') === '/audit'),
    ).toBe(true)
  })

  it('searches slug and name like /tenants, recent matches first, deleted tenants left out', async () => {
    const suffix = uniqueSuffix()
    const one = await createTenant(t.db, { slug: `umbrella-${suffix}`, name: 'Umbrella One' })
    const two = await createTenant(t.db, { slug: `corp-${suffix}`, name: 'Umbrella Two' })
    const gone = await createTenant(t.db, { name: `Umbrella Gone ${suffix}` })
    await deleteTestTenant(t.database, gone.id, { now: new Date() })
    const b = browser()
    await get(b, `/tenants/${two.id}`)
    const html = await (await get(b, `/scope/picker?q=UMBRELLA`, { 'hx-request': 'true' })).text()
    const list = choices(html)
    expect(list).toEqual([
      '✓ All customers',
      `Umbrella Two (${two.slug})`,
      `Umbrella One (${one.slug})`,
    ])
    expect(textOf(html, '#scope-picker-count')).toBe('2 customers matching “UMBRELLA”.')
    const none = await (await get(b, `/scope/picker?q=zzz-${suffix}`)).text()
    expect(textOf(none, '#scope-picker-count')).toBe(`No customer matches “zzz-${suffix}”.`)
  })

  it('without JavaScript it is a page of its own, the current scope marked', async () => {
    const b = browser()
    await setScope(b, { mode: 'customer', tenant: acme.id })
    const html = await (await get(b, '/scope/picker?next=%2F%2Fevil.example')).text()
    expect(headings(html)).toContain('Choose a customer')
    const current = parseHtml(html).querySelector('#scope-picker-results [aria-current="true"]')
    expect(current && readableText(current)).toBe(`✓ ${acme.name} (${acme.slug})`)
    // The next address was not ours: choosing returns to /tenants.
    const nexts = parseHtml(html)
      .querySelectorAll('#scope-picker-panel input[name="next"]')
      .map((input) => input.getAttribute('value'))
    expect(new Set(nexts)).toEqual(new Set(['/tenants']))
    expect(alertText(html)).toBeUndefined()
  })

  it('the top bar links to the picker for this page, and toggles admin mode with a plain form', async () => {
    const html = await (await get(browser(), '/audit?action=test.poke')).text()
    const bar = parseHtml(html).querySelector('#scope-bar')!
    expect(bar.querySelector('#scope-picker-toggle')!.getAttribute('href')).toBe(
      '/scope/picker?next=%2Faudit%3Faction%3Dtest.poke',
    )
    const toggle = bar.querySelector('button[aria-pressed]')!
    expect(readableText(toggle)).toBe('Admin mode')
    expect(toggle.getAttribute('aria-pressed')).toBe('true')
    expect(bar.querySelector('input[name="mode"]')!.getAttribute('value')).toBe('customer')
  })
})
