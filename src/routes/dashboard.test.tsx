import { beforeAll, describe, expect, it } from 'vitest'
import { buildKnownFleet, KNOWN, type KnownFleet } from '../dashboard/test-fleet.js'
import { takeKpiSnapshot } from '../dashboard/snapshot.js'
import { addDays, utcDay } from '../db/kpi-daily.js'
import { OPERATOR_ROLES } from '../db/schema.js'
import { USER_COUNT_CAP } from '../db/users.js'
import { sql } from 'kysely'
import { addMembership, createSuperAdmin, createUser } from '../test-support/factories.js'
import { linkHrefs, parseHtml, textOf } from '../test-support/html.js'
import { getPage, signIn } from '../test-support/requests.js'
import { signedScopeCookie } from '../test-support/scope-cookie.js'
import { useTestApp } from '../test-support/test-app.js'

// The dashboard at / (issue 10 item 2): every role, the fleet's numbers or the picked tenant's,
// each tile linking to its list, and empty states that say what appears and when.

const t = useTestApp()
let cookie: string

beforeAll(async () => {
  ;({ cookie } = await t.signedInOwner())
})

const value = (html: string, tile: string) => textOf(html, `#tile-${tile} [data-kpi-value]`)
const notes = (html: string, tile: string) => textOf(html, `#tile-${tile}`) ?? ''

describe('an empty fleet', () => {
  it('shows zeros, says the trend fills in within 15 minutes and host tiles within 10 seconds', async () => {
    const res = await getPage(t.app, '/', cookie)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(textOf(html, 'title')).toMatch(/^Dashboard/)
    expect(textOf(html, 'h1')).toBe('Dashboard')
    expect(value(html, 'active-tenants')).toBe('0')
    expect(value(html, 'storage')).toBe('0 B')
    expect(textOf(html, '#trend-note')).toContain(
      'the first snapshot is taken within 15 minutes of the server starting',
    )
    expect(value(html, 'host-cpu')).toBe('—')
    expect(notes(html, 'host-cpu')).toContain('Appears within 10 seconds of the server starting')
  })
})

describe('the known fleet', () => {
  let fleet: KnownFleet

  beforeAll(async () => {
    const other = await createSuperAdmin(t.db, t.config, { role: 'support' })
    fleet = await buildKnownFleet(t.db, [(await t.owner()).admin.id, other.admin.id])
  })

  it('opens for every role', async () => {
    for (const role of OPERATOR_ROLES) {
      const who = await createSuperAdmin(t.db, t.config, { role })
      const res = await getPage(t.app, '/', await signIn(t.app, who, t.clock))
      expect([role, res.status]).toEqual([role, 200])
    }
  })

  it('shows the fleet’s numbers, each tile linking to the list of what it counts', async () => {
    const html = await (await getPage(t.app, '/', cookie)).text()
    expect(value(html, 'active-tenants')).toBe(String(KNOWN.fleet.activeTenants))
    expect(value(html, 'suspended-tenants')).toBe(String(KNOWN.fleet.suspendedTenants))
    expect(value(html, 'users')).toBe(String(KNOWN.fleet.users))
    expect(value(html, 'active-users')).toBe(String(KNOWN.fleet.activeUsers))
    expect(value(html, 'signups')).toBe(String(KNOWN.fleet.signupsToday))
    expect(value(html, 'join-requests')).toBe(String(KNOWN.fleet.pendingJoinRequests))
    expect(value(html, 'impersonations')).toBe(String(KNOWN.fleet.activeImpersonations))
    expect(value(html, 'storage')).toBe('3.9 KB')
    expect(value(html, 'host-cpu')).toBe('42.5 %')
    expect(value(html, 'host-memory')).toBe('61.3 %')
    expect(value(html, 'host-disk')).toBe('70.0 %')
    expect(notes(html, 'host-disk')).toContain('7.0 GB of 10 GB used')
    expect(linkHrefs(html, 'Active tenants')).toEqual(['/tenants?status=active'])
    expect(linkHrefs(html, 'Suspended tenants')).toEqual(['/tenants?status=suspended'])
    expect(linkHrefs(html, 'Active users')).toEqual(['/users?signed_in=30'])
    expect(linkHrefs(html, 'Signups today')).toEqual(['/users?joined=today'])
    expect(linkHrefs(html, 'Pending join requests')).toEqual(['/join-requests?status=pending'])
    expect(linkHrefs(html, 'Active impersonations')).toEqual(['/impersonations?status=active'])
    expect(linkHrefs(html, 'Storage')).toEqual(['/tenants?sort=storage&dir=desc'])
    expect(linkHrefs(html, 'Host CPU')).toEqual(['/system'])
  })

  it('links tiles to lists that show exactly the rows counted', async () => {
    const rows = async (path: string, selector: string) =>
      parseHtml(await (await getPage(t.app, path, cookie)).text()).querySelectorAll(selector).length
    expect(await rows('/tenants?status=active', 'tbody tr[id^="tenant-"]')).toBe(
      KNOWN.fleet.activeTenants,
    )
    expect(await rows('/users?joined=today', 'tbody tr[id^="user-"]')).toBe(
      KNOWN.fleet.signupsToday,
    )
    expect(await rows('/users?signed_in=30', 'tbody tr[id^="user-"]')).toBe(KNOWN.fleet.activeUsers)
  })

  it('shows the picked tenant’s numbers, says which tenant, keeps host tiles cluster-wide', async () => {
    const scope = await signedScopeCookie(t.config, {
      mode: 'customer',
      tenant: fleet.acme.id,
      recent: [fleet.acme.id],
    })
    const res = await getPage(t.app, '/', `${cookie}; ${scope}`)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(textOf(html, 'title')).toContain(fleet.acme.name)
    expect(textOf(html, '#dashboard-scope')).toContain(`${fleet.acme.name} (${fleet.acme.slug})`)
    expect(value(html, 'status')).toBe('active')
    expect(value(html, 'users')).toBe(String(KNOWN.acme.users))
    expect(value(html, 'active-users')).toBe(String(KNOWN.acme.activeUsers))
    expect(value(html, 'signups')).toBe(String(KNOWN.acme.signupsToday))
    expect(value(html, 'join-requests')).toBe(String(KNOWN.acme.pendingJoinRequests))
    expect(value(html, 'impersonations')).toBe(String(KNOWN.acme.activeImpersonations))
    expect(value(html, 'storage')).toBe('1.5 KB')
    expect(value(html, 'host-cpu')).toBe('42.5 %')
    expect(notes(html, 'host-cpu')).toContain('Cluster-wide')
    expect(value(html, 'active-tenants')).toBeUndefined()
    expect(linkHrefs(html, 'Status')).toEqual([`/tenants/${fleet.acme.id}`])
    expect(linkHrefs(html, 'Active impersonations')).toEqual([
      `/impersonations?status=active&tenant=${fleet.acme.slug}`,
    ])
    // The members list behind the tile, under the same scope, holds the members counted.
    const members = await (
      await getPage(t.app, '/users?joined=today', `${cookie}; ${scope}`)
    ).text()
    expect(parseHtml(members).querySelectorAll('tbody tr[id^="user-"]')).toHaveLength(
      KNOWN.acme.signupsToday,
    )
  })

  it('draws 30 days of trend from the snapshots, today’s live value last, and the storage growth', async () => {
    const today = utcDay(fleet.now)
    const old = addDays(today, -30)
    const recent = addDays(today, -2)
    await t.db
      .insertInto('kpi_daily')
      .values([
        { day: old, tenant_id: null, kpis: '{"users":5,"storageBytes":1000}', taken_at: fleet.now },
        {
          day: recent,
          tenant_id: null,
          kpis: '{"users":7,"storageBytes":3000}',
          taken_at: fleet.now,
        },
      ])
      .execute()
    await takeKpiSnapshot(t.db, fleet.now)
    const html = await (await getPage(t.app, '/', cookie)).text()
    expect(textOf(html, '#trend-note')).toBeUndefined()
    const trend = textOf(html, '#tile-users .sr-only') ?? ''
    expect(trend).toMatch(/^Users, last 30 days: /)
    expect(trend).toContain(`${recent} 7`)
    expect(trend).toContain(`${addDays(today, -1)} not measured`)
    expect(trend.endsWith(`${today} ${KNOWN.fleet.users}`)).toBe(true)
    // Day -30 is the base of the growth, outside the 30 points drawn (days -29 … today).
    expect(trend).not.toContain(old)
    expect(notes(html, 'storage')).toContain('+2.9 KB in 30 days')
  })

  it('counts every signup of a past day in its point, also those after that day’s last snapshot, and days no snapshot closed', async () => {
    const today = utcDay(fleet.now)
    const yesterday = addDays(today, -1)
    const unclosed = addDays(today, -4)
    const scope = await signedScopeCookie(t.config, {
      mode: 'customer',
      tenant: fleet.acme.id,
      recent: [fleet.acme.id],
    })
    const trend = async (cookies: string) =>
      textOf(await (await getPage(t.app, '/', cookies)).text(), '#tile-signups .sr-only') ?? ''
    const point = (text: string, day: string) =>
      Number(text.match(new RegExp(`${day} (\\d+)`))?.[1])
    const fleetBefore = await trend(cookie)
    const acmeBefore = await trend(`${cookie}; ${scope}`)
    // Yesterday's last snapshot ran at 23:45; two users signed up after it, one joining acme.
    await takeKpiSnapshot(t.db, new Date(`${yesterday}T23:45:00Z`))
    for (const at of [`${yesterday}T23:50:00Z`, `${yesterday}T23:59:59Z`, `${unclosed}T10:00:00Z`])
      await addMembership(
        t.db,
        await createUser(t.db, { createdAt: new Date(at) }),
        fleet.acme,
        'member',
        new Date(at),
      )
    const fleetAfter = await trend(cookie)
    const acmeAfter = await trend(`${cookie}; ${scope}`)
    expect(
      textOf(await (await getPage(t.app, '/', `${cookie}; ${scope}`)).text(), '#tile-signups h2'),
    ).toBe('New members today')
    for (const [before, after] of [
      [fleetBefore, fleetAfter],
      [acmeBefore, acmeAfter],
    ]) {
      expect(point(after, yesterday)).toBe(point(before, yesterday) + 2)
      // No snapshot was ever taken that day: still a measured point, not a gap.
      expect(point(after, unclosed)).toBe(point(before, unclosed) + 1)
      expect(after).not.toContain('not measured')
      expect(after.endsWith(`${today} ${point(before, today)}`)).toBe(true)
    }
  })

  it('shows more than 10,000 active users as the snapshot’s exact count, "about N", linking to the list of them', async () => {
    await sql`insert into users (id, email, name, status, created_at, last_login_at)
      select gen_random_uuid(), 'active' || i || '@example.com', 'Active ' || i, 'active',
        now() - interval '40 days', ${fleet.now}::timestamptz - interval '1 day'
      from generate_series(1, ${USER_COUNT_CAP}) i`.execute(t.db)
    const before = await (await getPage(t.app, '/', cookie)).text()
    // No snapshot has counted past the cap yet: the page says no more than it knows.
    expect(value(before, 'active-users')).toBe('over 10,000')
    await takeKpiSnapshot(t.db, fleet.now)
    const html = await (await getPage(t.app, '/', cookie)).text()
    const exact = USER_COUNT_CAP + KNOWN.fleet.activeUsers
    expect(value(html, 'active-users')).toBe(`about ${exact.toLocaleString('en')}`)
    const at = fleet.now.toISOString()
    expect(notes(html, 'active-users')).toContain(
      `the snapshot’s exact count of ${at.slice(0, 10)} ${at.slice(11, 16)} UTC`,
    )
    expect(linkHrefs(html, 'Active users')).toEqual(['/users?signed_in=30'])
    const list = await (await getPage(t.app, '/users?signed_in=30', cookie)).text()
    expect(textOf(list, '#user-total')).toMatch(/^about [\d,]+ users/)
  })
})
