import { beforeAll, describe, expect, it } from 'vitest'
import { createSession } from '../auth/session.js'
import type { Tenant } from '../db/tenants.js'
import type { User } from '../db/users.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import {
  addMembership,
  createSuperAdmin,
  createTenant,
  createUser,
  uniqueSuffix,
} from '../test-support/factories.js'
import { fieldError, parseHtml, rowCells, textOf, textsOf } from '../test-support/html.js'
import {
  cookieFrom,
  getPage,
  postForm,
  sendForm,
  SESSION_COOKIE,
} from '../test-support/requests.js'
import { signedScopeCookie } from '../test-support/scope-cookie.js'
import { useTestApp } from '../test-support/test-app.js'

const t = useTestApp()
let cookie: string
const HX = { 'HX-Request': 'true' }

beforeAll(async () => {
  ;({ cookie } = await t.signedInOwner())
})

async function cookieFor(role: 'admin' | 'support' | 'viewer'): Promise<string> {
  const who = await createSuperAdmin(t.db, t.config, { role })
  const { token } = await createSession(
    t.db,
    who.admin.id,
    { twoFactorVerified: true },
    new Date(t.clock.now()),
  )
  return `${SESSION_COOKIE}=${token}`
}

function membershipRow(user: { id: string }, tenant: { id: string }) {
  return t.db
    .selectFrom('memberships')
    .selectAll()
    .where('user_id', '=', user.id)
    .where('tenant_id', '=', tenant.id)
    .executeTakeFirst()
}

/** The tenant's owner made by onboarding (its first admin). */
async function ownerOf(tenant: Tenant): Promise<User> {
  const row = await t.db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .selectAll('users')
    .where('tenant_id', '=', tenant.id)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow()
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    status: row.status,
    lastLoginAt: row.last_login_at,
    createdAt: row.created_at,
  }
}

/** Memberships and audit entries: what a refused request must leave as it was. */
async function state() {
  return {
    memberships: await t.db.selectFrom('memberships').selectAll().orderBy('user_id').execute(),
    users: await t.db.selectFrom('users').selectAll().orderBy('id').execute(),
    audit: await countRows(t.db, 'audit_log'),
  }
}

describe('the users directory', () => {
  it('lists users newest first with up to three tenants and +N, status and last sign-in', async () => {
    const marker = `dir${uniqueSuffix()}`
    const tenants = [] as Tenant[]
    for (let i = 0; i < 4; i++) tenants.push(await createTenant(t.db))
    const older = await createUser(t.db, {
      email: `${marker}-old@example.com`,
      createdAt: new Date(t.clock.now() - 60_000),
    })
    const newer = await createUser(t.db, {
      email: `${marker}-new@example.com`,
      name: 'Alice Newer',
      lastLoginAt: new Date(t.clock.now() - 3600_000),
    })
    for (const [i, tenant] of tenants.entries())
      await addMembership(t.db, newer, tenant, i === 0 ? 'admin' : 'member', new Date(1000 + i))

    const res = await getPage(t.app, `/users?q=${marker}`, cookie)
    const body = await res.text()

    expect(res.status).toBe(200)
    expect(body.indexOf(`user-${newer.id}`)).toBeLessThan(body.indexOf(`user-${older.id}`))
    const cells = rowCells(body, `user-${newer.id}`)
    expect(cells[0]).toBe(newer.email)
    expect(cells[1]).toBe('Alice Newer')
    expect(cells[2]).toBe('active')
    expect(cells[3]).toBe(
      `${tenants[0].slug} (admin), ${tenants[1].slug} (member), ${tenants[2].slug} (member) +1`,
    )
    expect(cells[4]).toBe('1 h ago')
    expect(rowCells(body, `user-${older.id}`)[3]).toBe('none')
    expect(textOf(body, '#user-total')).toBe(`2 users matching “${marker}”`)
  })

  it('search matches a substring of the email or the name, case-insensitively, wildcards literally', async () => {
    const marker = `srch${uniqueSuffix()}`
    const byEmail = await createUser(t.db, { email: `x.${marker}.y@example.com` })
    const byName = await createUser(t.db, { name: `Bob ${marker.toUpperCase()}son` })
    const other = await createUser(t.db)

    const body = await (await getPage(t.app, `/users?q=${marker.toUpperCase()}`, cookie)).text()

    expect(body).toContain(`user-${byEmail.id}`)
    expect(body).toContain(`user-${byName.id}`)
    expect(body).not.toContain(`user-${other.id}`)
    for (const q of ['%', '_', '\\']) {
      const page = await (await getPage(t.app, `/users?q=${encodeURIComponent(q)}`, cookie)).text()
      expect([q, page.includes('No users match.')]).toEqual([q, true])
    }
  })

  it('scoped to one customer, lists only its members', async () => {
    const marker = `scoped${uniqueSuffix()}`
    const [acme, other] = [await createTenant(t.db), await createTenant(t.db)]
    const member = await createUser(t.db, { name: `Ann ${marker}` })
    const outsider = await createUser(t.db, { name: `Otto ${marker}` })
    await addMembership(t.db, member, acme)
    await addMembership(t.db, outsider, other)
    const everyone = await (await getPage(t.app, `/users?q=${marker}`, cookie)).text()
    const scoped = await postForm(t.app, '/scope', { mode: 'customer', tenant: acme.id }, cookie)
    const scope = cookieFrom(scoped, 'fleetdeck_scope')!

    const body = await (await getPage(t.app, `/users?q=${marker}`, `${cookie}; ${scope}`)).text()

    expect(everyone).toContain(`user-${outsider.id}`)
    expect(textsOf(everyone, 'th')).toContain('Tenants')

    expect(body).toContain(`user-${member.id}`)
    expect(body).not.toContain(`user-${outsider.id}`)
    expect(textsOf(body, 'th')).not.toContain('Tenants')
  })

  it('filters by status, tenant role and last sign-in', async () => {
    const marker = `flt${uniqueSuffix()}`
    const tenant = await createTenant(t.db)
    const now = t.clock.now()
    const disabled = await createUser(t.db, { name: `${marker} d`, status: 'disabled' })
    const recent = await createUser(t.db, {
      name: `${marker} r`,
      lastLoginAt: new Date(now - 2 * 86400_000),
    })
    const monthAgo = await createUser(t.db, {
      name: `${marker} m`,
      lastLoginAt: new Date(now - 20 * 86400_000),
    })
    await addMembership(t.db, monthAgo, tenant, 'admin')
    const ids = async (query: string) => {
      const body = await (await getPage(t.app, `/users?q=${marker}&${query}`, cookie)).text()
      return [disabled, recent, monthAgo].filter((u) => body.includes(`user-${u.id}`))
    }

    expect(await ids('status=disabled')).toEqual([disabled])
    expect(await ids('role=admin')).toEqual([monthAgo])
    expect(await ids('signed_in=7')).toEqual([recent])
    expect(await ids('signed_in=30')).toEqual([recent, monthAgo])
    expect(await ids('signed_in=never')).toEqual([disabled])
    expect(await ids('status=bogus&role=nope&signed_in=3')).toEqual([disabled, recent, monthAgo])
  })

  it('filters by when a user joined: today (UTC) by their row, and scoped by their membership', async () => {
    const marker = `jnd${uniqueSuffix()}`
    const tenant = await createTenant(t.db)
    const now = t.clock.now()
    const midnight = Date.parse(new Date(now).toISOString().slice(0, 10) + 'T00:00:00Z')
    const today = await createUser(t.db, { name: `${marker} t`, createdAt: new Date(midnight) })
    const yesterday = await createUser(t.db, {
      name: `${marker} y`,
      createdAt: new Date(midnight - 1),
    })
    const old = await createUser(t.db, {
      name: `${marker} o`,
      createdAt: new Date(now - 40 * 86400_000),
    })
    // An old user who became a member today: a new member of the tenant, not a new user.
    await addMembership(t.db, old, tenant, 'member', new Date(midnight))
    await addMembership(t.db, yesterday, tenant, 'member', new Date(midnight - 1))
    const ids = async (query: string, scope = '') => {
      const path = `/users?q=${marker}&${query}`
      const body = await (await getPage(t.app, path, cookie + scope)).text()
      return [today, yesterday, old].filter((u) => body.includes(`user-${u.id}`))
    }

    expect(await ids('joined=today')).toEqual([today])
    expect(await ids('joined=7')).toEqual([today, yesterday])
    expect(await ids('joined=30')).toEqual([today, yesterday])
    expect(await ids('joined=soon')).toEqual([today, yesterday, old])
    const scope = await signedScopeCookie(t.config, {
      mode: 'customer',
      tenant: tenant.id,
      recent: [],
    })
    expect(await ids('joined=today', `; ${scope}`)).toEqual([old])
  })

  it('pages by keyset, 50 at a time: Next goes on from the last row, Previous comes back', async () => {
    const marker = `pg${uniqueSuffix()}`
    const base = t.clock.now() - 3600_000
    const users = [] as User[]
    for (let i = 0; i < 55; i++)
      users.push(await createUser(t.db, { name: `${marker} ${i}`, createdAt: new Date(base + i) }))
    const newestFirst = [...users].reverse()
    const rowIds = (html: string) =>
      parseHtml(html)
        .querySelectorAll('#user-table tbody tr[id]')
        .map((r) => r.id.replace('user-', ''))

    const first = await (await getPage(t.app, `/users?q=${marker}`, cookie)).text()
    expect(rowIds(first)).toEqual(newestFirst.slice(0, 50).map((u) => u.id))
    const next = parseHtml(first).querySelector('a[rel="next"]')!.getAttribute('href')!
    expect(next).toBe(`/users?q=${marker}&after=${newestFirst[49].id}`)
    expect(first).not.toContain('rel="prev"')

    const second = await (await getPage(t.app, next, cookie)).text()
    expect(rowIds(second)).toEqual(newestFirst.slice(50).map((u) => u.id))
    expect(second).not.toContain('rel="next"')
    const prev = parseHtml(second).querySelector('a[rel="prev"]')!.getAttribute('href')!
    const back = await (await getPage(t.app, prev, cookie)).text()
    expect(rowIds(back)).toEqual(newestFirst.slice(0, 50).map((u) => u.id))
  })

  it('under htmx the search answers only the #user-table fragment, with Vary: HX-Request', async () => {
    const res = await getPage(t.app, '/users?q=example', cookie, HX)
    const body = await res.text()

    expect(res.headers.get('vary')).toContain('HX-Request')
    expect(body.trimStart().startsWith('<div id="user-table">')).toBe(true)
    expect(body).not.toContain('<html')
  })

  it('the search form works without JavaScript and says how htmx runs it', async () => {
    const body = await (await getPage(t.app, '/users', cookie)).text()
    const form = parseHtml(body).querySelector('form[action="/users"]')!

    expect(form.getAttribute('method')).toBe('get')
    expect(form.getAttribute('hx-push-url')).toBe('true')
    expect(form.getAttribute('hx-trigger')).toContain('delay:250ms')
    expect(textsOf(body, 'label')).toEqual(
      expect.arrayContaining(['Search email or name', 'Status', 'Tenant role', 'Signed in']),
    )
    expect(textsOf(body, 'nav[aria-label="Sections"] a')).toContain('Users')
  })
})

describe('the user page', () => {
  it('shows identity, memberships with tenant status, sign-ins newest first and its audit entries', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db, { name: 'Pat Page' })
    await addMembership(t.db, user, tenant, 'admin')
    const base = t.clock.now() - 86400_000
    await t.db
      .insertInto('user_sign_ins')
      .values(
        Array.from({ length: 55 }, (_, i) => ({
          user_id: user.id,
          tenant_id: tenant.id,
          at: new Date(base + i * 60_000),
          ip: `198.51.100.${i}`,
          user_agent: 'Firefox',
          outcome: i === 54 ? ('failed' as const) : ('succeeded' as const),
          detail: i === 54 ? 'wrong password' : null,
        })),
      )
      .execute()
    await sendForm(t.app, 'POST', `/users/${user.id}/disablement`, {}, cookie)

    const body = await (await getPage(t.app, `/users/${user.id}`, cookie)).text()

    expect(textOf(body, 'h1')).toBe(user.email)
    expect(rowCells(body, `membership-${tenant.id}-${user.id}`).slice(0, 1)).toEqual([
      `${tenant.slug} active`,
    ])
    const signIns = parseHtml(body).querySelectorAll('#sign-ins tbody tr')
    expect(signIns).toHaveLength(50)
    expect(textOf(body, '#sign-ins tbody tr')).toContain('198.51.100.54')
    expect(textOf(body, '#sign-ins tbody tr')).toContain('wrong password')
    expect(textOf(body, '#user-audit tbody')).toContain('user.disable')

    const older = parseHtml(body).querySelector('#sign-ins a[rel="next"]')!.getAttribute('href')!
    const page2 = await (await getPage(t.app, older, cookie)).text()
    const rows2 = parseHtml(page2).querySelectorAll('#sign-ins tbody tr')
    expect(rows2.map((r) => r.textContent)).toHaveLength(5)
    expect(textOf(page2, '#sign-ins tbody tr')).toContain('198.51.100.4')
  })

  it('an unknown or malformed id is a 404', async () => {
    for (const id of [crypto.randomUUID(), 'not-a-uuid', '1', "' or 1=1"]) {
      const res = await getPage(t.app, `/users/${encodeURIComponent(id)}`, cookie)
      expect([id, res.status]).toEqual([id, 404])
    }
  })

  it('a viewer and support see the user and members without edit controls, and are refused edits', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)
    await addMembership(t.db, user, tenant, 'member')
    for (const role of ['viewer', 'support'] as const) {
      const theirs = await cookieFor(role)
      const page = await (await getPage(t.app, `/users/${user.id}`, theirs)).text()
      expect(page).not.toContain('name="role"')
      expect(page).not.toContain('Disable user')
      expect(page).not.toContain('Add membership')
      expect(page).not.toContain('Invite as super admin')
      const tenantPage = await (await getPage(t.app, `/tenants/${tenant.id}`, theirs)).text()
      expect(tenantPage).toContain(user.email)
      expect(tenantPage).not.toContain(`/users/${user.id}/memberships/`)

      const before = await state()
      const url = `/users/${user.id}/memberships/${tenant.id}`
      expect((await postForm(t.app, url, { role: 'admin' }, theirs)).status).toBe(403)
      expect((await sendForm(t.app, 'DELETE', url, {}, theirs)).status).toBe(403)
      expect((await postForm(t.app, `/users/${user.id}/disablement`, {}, theirs)).status).toBe(403)
      expect(await state()).toEqual(before)
    }
  })
})

describe('changing a membership role', () => {
  it('under htmx swaps the row with the new role, and audits before and after', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)
    await addMembership(t.db, user, tenant, 'member')

    const res = await postForm(
      t.app,
      `/users/${user.id}/memberships/${tenant.id}`,
      { role: 'admin', from: 'user' },
      cookie,
      HX,
    )
    const body = await res.text()

    expect(res.status).toBe(200)
    const row = parseHtml(body).querySelector(`tr#membership-${tenant.id}-${user.id}`)!
    expect(row.querySelector('option[selected]')!.textContent).toBe('admin')
    expect(body).toContain(`${user.email} is now admin of ${tenant.slug}.`)
    expect((await membershipRow(user, tenant))?.role).toBe('admin')
    const [entry] = (await auditEntries(t.db, 'membership.role_change')).filter(
      (e) => e.target_id === user.id,
    )
    expect(entry).toMatchObject({
      target_type: 'user',
      tenant_id: tenant.id,
      before: { role: 'member' },
      after: { role: 'admin' },
    })
  })

  it('without JavaScript redirects to the page it came from with a message', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)
    await addMembership(t.db, user, tenant, 'admin')

    const fromUser = await postForm(
      t.app,
      `/users/${user.id}/memberships/${tenant.id}`,
      { role: 'member' },
      cookie,
    )
    expect(fromUser.status).toBe(303)
    expect(fromUser.headers.get('location')).toBe(`/users/${user.id}#memberships`)
    const fromTenant = await postForm(
      t.app,
      `/users/${user.id}/memberships/${tenant.id}`,
      { role: 'owner', from: 'tenant' },
      cookie,
    )
    expect(fromTenant.headers.get('location')).toBe(`/tenants/${tenant.id}#members`)
    expect((await membershipRow(user, tenant))?.role).toBe('owner')
  })

  it('refuses to demote the last owner of a tenant (422, nothing changed), and allows it with another owner', async () => {
    const tenant = await createTenant(t.db)
    const owner = await ownerOf(tenant)
    const url = `/users/${owner.id}/memberships/${tenant.id}`
    const before = await state()

    const htmx = await postForm(t.app, url, { role: 'member' }, cookie, HX)
    const htmxBody = await htmx.text()
    expect(htmx.status).toBe(422)
    expect(textOf(htmxBody, '[role="alert"]')).toBe(
      `${owner.email} is the last owner of ${tenant.slug}: make another member an owner first.`,
    )
    const plain = await postForm(t.app, url, { role: 'admin' }, cookie)
    expect(plain.status).toBe(422)
    expect(fieldError(await plain.text(), 'role')).toContain('is the last owner')
    expect(await state()).toEqual(before)

    const second = await createUser(t.db)
    await addMembership(t.db, second, tenant, 'owner')
    expect((await postForm(t.app, url, { role: 'member' }, cookie, HX)).status).toBe(200)
    expect((await membershipRow(owner, tenant))?.role).toBe('member')
  })

  it('refuses a role that does not exist with 422 and changes nothing', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)
    await addMembership(t.db, user, tenant, 'member')
    const before = await state()

    for (const role of ['superuser', '', 'OWNER']) {
      const res = await postForm(
        t.app,
        `/users/${user.id}/memberships/${tenant.id}`,
        { role },
        cookie,
        HX,
      )
      expect([role, res.status]).toEqual([role, 422])
      expect(textOf(await res.text(), '[role="alert"]')).toBe('Choose owner, admin or member.')
    }
    expect(await state()).toEqual(before)
  })

  it('answers 404 for an unknown or malformed user or tenant, and for a non-member', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)
    const stranger = await createUser(t.db)
    await addMembership(t.db, user, tenant)
    const before = await state()
    for (const path of [
      `/users/${crypto.randomUUID()}/memberships/${tenant.id}`,
      `/users/${user.id}/memberships/${crypto.randomUUID()}`,
      `/users/${user.id}/memberships/nope`,
      `/users/nope/memberships/${tenant.id}`,
      `/users/${stranger.id}/memberships/${tenant.id}`,
    ]) {
      expect([path, (await postForm(t.app, path, { role: 'admin' }, cookie)).status]).toEqual([
        path,
        404,
      ])
      expect([path, (await sendForm(t.app, 'DELETE', path, {}, cookie)).status]).toEqual([
        path,
        404,
      ])
    }
    expect(await state()).toEqual(before)
  })
})

describe('adding and removing memberships', () => {
  it('adds the user to a tenant chosen by slug, with a role, audited', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)

    const res = await postForm(
      t.app,
      `/users/${user.id}/memberships`,
      { slug: ` ${tenant.slug.toUpperCase()} `, role: 'admin' },
      cookie,
    )

    expect(res.status).toBe(303)
    expect((await membershipRow(user, tenant))?.role).toBe('admin')
    const [entry] = (await auditEntries(t.db, 'membership.add')).filter(
      (e) => e.target_id === user.id,
    )
    expect(entry).toMatchObject({
      tenant_id: tenant.id,
      before: null,
      after: { tenant: tenant.slug, role: 'admin' },
    })
    const flash = cookieFrom(res, 'fleetdeck_flash')
    const page = await (
      await getPage(t.app, res.headers.get('location')!, `${cookie}; ${flash}`)
    ).text()
    expect(page).toContain(`${user.email} added to ${tenant.slug} as admin.`)
  })

  it('refuses an unknown slug, a deleted tenant, an existing membership and bad input with 422', async () => {
    const user = await createUser(t.db)
    const member = await createTenant(t.db)
    await addMembership(t.db, user, member)
    const gone = await createTenant(t.db)
    await sendForm(t.app, 'DELETE', `/tenants/${gone.id}`, { confirmSlug: gone.slug }, cookie)
    const loner = await createUser(t.db)
    const before = await state()
    const cases: [Record<string, string>, string, string][] = [
      [
        { slug: 'no-such-tenant', role: 'member' },
        'slug',
        'No tenant has the slug “no-such-tenant”.',
      ],
      [
        { slug: gone.slug, role: 'member' },
        'slug',
        `${gone.slug} is deleted: it cannot get new members.`,
      ],
      [
        { slug: member.slug, role: 'admin' },
        'slug',
        `${user.email} is already a member of ${member.slug}; change the role in its row.`,
      ],
      [{ slug: '', role: 'member' }, 'slug', 'Enter a tenant slug (letters, digits, dashes).'],
      [{ slug: member.slug, role: 'root' }, 'role', 'Choose owner, admin or member.'],
    ]
    for (const [fields, field, message] of cases) {
      // The role field's error is read on a user without membership rows (they have role selects too).
      const who = field === 'role' ? loner : user
      const res = await postForm(t.app, `/users/${who.id}/memberships`, fields, cookie)
      expect([fields, res.status]).toEqual([fields, 422])
      expect(fieldError(await res.text(), field === 'role' ? 'role' : 'slug')).toBe(message)
    }
    expect(await state()).toEqual(before)
  })

  it('removes a membership (htmx: the row goes and the removal is announced), audited', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)
    await addMembership(t.db, user, tenant, 'admin')

    const res = await sendForm(
      t.app,
      'DELETE',
      `/users/${user.id}/memberships/${tenant.id}`,
      {},
      cookie,
      HX,
    )
    const body = await res.text()

    expect(res.status).toBe(200)
    expect(body).not.toContain('<tr')
    expect(body).toContain(`${user.email} removed from ${tenant.slug}.`)
    expect(await membershipRow(user, tenant)).toBeUndefined()
    const [entry] = (await auditEntries(t.db, 'membership.remove')).filter(
      (e) => e.target_id === user.id,
    )
    expect(entry).toMatchObject({
      tenant_id: tenant.id,
      before: { tenant: tenant.slug, role: 'admin' },
      after: null,
    })
    expect(
      await t.db.selectFrom('users').select('id').where('id', '=', user.id).execute(),
    ).toHaveLength(1)
  })

  it('refuses to remove the last owner (422, nothing changed)', async () => {
    const tenant = await createTenant(t.db)
    const owner = await ownerOf(tenant)
    const before = await state()

    const res = await sendForm(
      t.app,
      'DELETE',
      `/users/${owner.id}/memberships/${tenant.id}`,
      {},
      cookie,
      HX,
    )

    expect(res.status).toBe(422)
    expect(textOf(await res.text(), '[role="alert"]')).toContain('is the last owner')
    expect(await state()).toEqual(before)
  })
})

describe('disabling and enabling a user', () => {
  it('disables the user keeping memberships, enables again, each audited; twice is a 409', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)
    await addMembership(t.db, user, tenant)
    const statusOf = async () =>
      (
        await t.db
          .selectFrom('users')
          .select('status')
          .where('id', '=', user.id)
          .executeTakeFirstOrThrow()
      ).status

    const disabled = await postForm(t.app, `/users/${user.id}/disablement`, {}, cookie)
    expect(disabled.status).toBe(303)
    expect(await statusOf()).toBe('disabled')
    expect(await membershipRow(user, tenant)).toBeDefined()
    const again = await postForm(t.app, `/users/${user.id}/disablement`, {}, cookie)
    expect(again.status).toBe(409)

    const enabled = await postForm(
      t.app,
      `/users/${user.id}/disablement`,
      { _method: 'DELETE' },
      cookie,
    )
    expect(enabled.status).toBe(303)
    expect(await statusOf()).toBe('active')
    const entries = await t.db
      .selectFrom('audit_log')
      .select(['action', 'before', 'after'])
      .where('target_id', '=', user.id)
      .orderBy('seq')
      .execute()
    expect(entries).toEqual([
      { action: 'user.disable', before: { status: 'active' }, after: { status: 'disabled' } },
      { action: 'user.enable', before: { status: 'disabled' }, after: { status: 'active' } },
    ])
    expect((await postForm(t.app, `/users/nope/disablement`, {}, cookie)).status).toBe(404)
  })
})

describe('invite as super admin', () => {
  it('owners get a link to the invitation form prefilled with the email; nothing is linked', async () => {
    const user = await createUser(t.db, { name: 'Ivy Invitee' })
    const page = await (await getPage(t.app, `/users/${user.id}`, cookie)).text()
    const link = parseHtml(page)
      .querySelectorAll('a')
      .find((a) => a.textContent.trim() === 'Invite as super admin')!
    const before = await countRows(t.db, 'super_admins')

    const form = await (await getPage(t.app, link.getAttribute('href')!, cookie)).text()

    expect(parseHtml(form).querySelector('input[name="email"]')!.getAttribute('value')).toBe(
      user.email,
    )
    expect(parseHtml(form).querySelector('input[name="name"]')!.getAttribute('value')).toBe(
      'Ivy Invitee',
    )
    expect(await countRows(t.db, 'super_admins')).toBe(before)
    const admin = await cookieFor('admin')
    const asAdmin = await (await getPage(t.app, `/users/${user.id}`, admin)).text()
    expect(asAdmin).not.toContain('Invite as super admin')
    expect(asAdmin).toContain('Disable user')
  })
})

describe('the tenant page member list', () => {
  it('pages beyond 50, searches, and offers the same role change and removal', async () => {
    const tenant = await createTenant(t.db)
    const marker = `mem${uniqueSuffix()}`
    for (let i = 0; i < 52; i++) {
      const u = await createUser(t.db, {
        email: `${marker}-${String(i).padStart(2, '0')}@example.com`,
      })
      await addMembership(t.db, u, tenant)
    }
    const page = await (await getPage(t.app, `/tenants/${tenant.id}`, cookie)).text()
    const rows = parseHtml(page).querySelectorAll('#tenant-members tbody tr')
    expect(rows).toHaveLength(50)
    // Owners first: the first admin made by onboarding.
    expect(rows[0].textContent).toContain('owner')
    const next = parseHtml(page).querySelector('#tenant-members a[rel="next"]')!
    const fragment = await (await getPage(t.app, next.getAttribute('hx-get')!, cookie, HX)).text()
    expect(parseHtml(fragment).querySelectorAll('tbody tr')).toHaveLength(3)
    expect(fragment).toContain(`${marker}-51@example.com`)

    const searched = await (
      await getPage(t.app, `/tenants/${tenant.id}?members_q=${marker}-07`, cookie)
    ).text()
    const found = parseHtml(searched).querySelectorAll('#tenant-members tbody tr')
    expect(found).toHaveLength(1)
    const form = found[0].querySelector('form[hx-post]')!
    expect(form.getAttribute('action')).toMatch(/^\/users\/[0-9a-f-]+\/memberships\//)
    expect(found[0].querySelector('input[name="from"]')!.getAttribute('value')).toBe('tenant')

    const swapped = await postForm(
      t.app,
      form.getAttribute('action')!,
      { role: 'admin', from: 'tenant' },
      cookie,
      HX,
    )
    const row = await swapped.text()
    expect(row).toContain(`${marker}-07@example.com`)
    expect(parseHtml(row).querySelector('option[selected]')!.textContent).toBe('admin')
  })

  it('the members fragment address without htmx goes to the tenant page', async () => {
    const tenant = await createTenant(t.db)
    const res = await getPage(t.app, `/tenants/${tenant.id}/members?members_q=a`, cookie)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/tenants/${tenant.id}?members_q=a#members`)
    expect((await getPage(t.app, `/tenants/nope/members`, cookie, HX)).status).toBe(404)
  })
})
