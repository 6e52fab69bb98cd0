import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  auditEntries,
  cookieFrom,
  countRows,
  createSuperAdmin,
  createTenant,
  createTestApp,
  getPage,
  postForm,
  sendForm,
  signIn,
  uniqueSuffix,
  type TestAdmin,
  type TestApp,
} from '../test-support/factories.js'

// Issue #6 items 13, 14, 15 and 25 at the route level: the tenants table's sorting and filters,
// the empty fleet, the confirmed suspension with its Undo, what a row action says, and the form
// kept across step-up.

let t: TestApp
let owner: TestAdmin
let cookie: string

beforeAll(async () => {
  t = await createTestApp()
  owner = await createSuperAdmin(t.db, t.config, { role: 'owner' })
  cookie = await signIn(t.app, owner, t.clock)
})

afterAll(() => t?.close())

async function html(path: string, who = cookie, headers: Record<string, string> = {}) {
  const res = await getPage(t.app, path, who, headers)
  return { status: res.status, body: await res.text(), res }
}

/** Slugs of the table's rows, top to bottom. */
function rowSlugs(body: string): string[] {
  return [
    ...body.matchAll(/<tr id="tenant-[^"]+"[\s\S]*?<a href="\/tenants\/[^"]+"[^>]*>([^<]+)</g),
  ].map((m) => m[1])
}

function setStorage(tenantId: string, dbBytes: number, fileBytes: number) {
  return t.db
    .insertInto('storage_snapshots')
    .values({ tenant_id: tenantId, db_bytes: dbBytes, file_bytes: fileBytes, taken_at: new Date() })
    .onConflict((oc) =>
      oc.column('tenant_id').doUpdateSet({ db_bytes: dbBytes, file_bytes: fileBytes }),
    )
    .execute()
}

describe('the tenants table sorts and filters (item 25)', () => {
  let marker: string
  let small: { id: string; slug: string }
  let big: { id: string; slug: string }
  let unmeasured: { id: string; slug: string }

  beforeAll(async () => {
    marker = `sortable${uniqueSuffix()}`
    small = await createTenant(t.db, { name: `Beta ${marker}`, planId: 'enterprise' })
    big = await createTenant(t.db, { name: `alpha ${marker}` })
    unmeasured = await createTenant(t.db, { name: `Gamma ${marker}` })
    await setStorage(small.id, 1_000, 10)
    await setStorage(big.id, 5_000, 9_000)
    await t.db.deleteFrom('storage_snapshots').where('tenant_id', '=', unmeasured.id).execute()
    await t.db
      .updateTable('tenants')
      .set({ last_activity_at: null })
      .where('id', '=', unmeasured.id)
      .execute()
  })

  it('sorts by name with aria-sort on that header and a link that reverses it', async () => {
    const { body } = await html(`/tenants?q=${marker}&sort=name&dir=asc`)

    expect(rowSlugs(body)).toEqual([big.slug, small.slug, unmeasured.slug])
    expect(body).toMatch(
      new RegExp(
        `<th scope="col" aria-sort="ascending"[^>]*><a href="/tenants\\?q=${marker}&amp;sort=name&amp;dir=desc"`,
      ),
    )
    expect(body.match(/aria-sort=/g)).toHaveLength(1)
  })

  it('sorts by storage from the snapshot, unmeasured last, both ways', async () => {
    const down = await html(`/tenants?q=${marker}&sort=storage&dir=desc`)
    const up = await html(`/tenants?q=${marker}&sort=storage&dir=asc`)

    expect(rowSlugs(down.body)).toEqual([big.slug, small.slug, unmeasured.slug])
    expect(rowSlugs(up.body)).toEqual([small.slug, big.slug, unmeasured.slug])
    expect(down.body).toContain('aria-sort="descending"')
  })

  it('shows last activity, "never" for a tenant without any', async () => {
    const { body } = await html(`/tenants?q=${marker}`)
    const row = new RegExp(`<tr id="tenant-${unmeasured.id}"[\\s\\S]*?</tr>`).exec(body)![0]

    expect(body).toContain('Last activity')
    expect(row).toContain('>never<')
  })

  it('keeps one plan', async () => {
    const { body } = await html(`/tenants?q=${marker}&plan=enterprise`)

    expect(rowSlugs(body)).toEqual([small.slug])
    expect(body).toContain('<option value="enterprise" selected="">Enterprise</option>')
  })

  it('keeps a created range, both days included', async () => {
    const day = new Date().toISOString().slice(0, 10)
    const today = await html(`/tenants?q=${marker}&from=${day}&to=${day}`)
    const later = await html(`/tenants?q=${marker}&from=2999-01-01`)

    expect(today.status).toBe(200)
    expect(rowSlugs(today.body)).toHaveLength(3)
    expect(rowSlugs(later.body)).toEqual([])
    expect(later.body).toContain('No tenants match.')
  })

  it('answers an impossible date with 422 and a message next to the field, not 500', async () => {
    for (const bad of ['2024-13-45', '2023-02-29', 'yesterday']) {
      const { status, body } = await html(`/tenants?q=${marker}&from=${encodeURIComponent(bad)}`)

      expect([bad, status]).toEqual([bad, 422])
      expect(body).toContain(`id="tenant-from-error"`)
      expect(body).toContain(`“${bad}” is not a date; use YYYY-MM-DD.`)
      expect(body).toMatch(/id="tenant-from"[^>]*aria-invalid="true"/)
      // The rest of the filter still applies.
      expect(rowSlugs(body)).toHaveLength(3)
    }
  })

  it('answers a range that ends before it starts with 422, also to htmx', async () => {
    const res = await html(`/tenants?q=${marker}&from=2025-02-01&to=2025-01-01`, cookie, {
      'HX-Request': 'true',
    })

    expect(res.status).toBe(422)
    expect(res.body).toContain('role="alert"')
    expect(res.body).toContain('The end of the range is before its start.')
  })

  it('ignores a sort or direction it does not know', async () => {
    const { status, body } = await html(`/tenants?q=${marker}&sort=drop%20table&dir=sideways`)

    expect(status).toBe(200)
    expect(rowSlugs(body)).toEqual([unmeasured.slug, big.slug, small.slug])
  })

  it('keeps the sort when filtering and paging', async () => {
    const { body } = await html(`/tenants?q=${marker}&sort=members&dir=asc`)

    expect(body).toContain('<input type="hidden" name="sort" value="members"/>')
    expect(body).toContain('<input type="hidden" name="dir" value="asc"/>')
  })

  it('puts no access key on any row, and makes every row open its tenant', async () => {
    const { body } = await html(`/tenants?q=${marker}`)
    const tbody = /<tbody>[\s\S]*<\/tbody>/.exec(body)![0]

    expect(tbody).not.toContain('accesskey')
    expect(tbody).toContain(`data-href="/tenants/${small.id}"`)
  })

  it('shows the tenant id on its page, selectable, with a Copy button', async () => {
    const { body } = await html(`/tenants/${small.id}`)

    expect(body).toContain(`<code id="tenant-id" class="select-all`)
    expect(body).toContain(`>${small.id}</code>`)
    expect(body).toContain(`data-copy="${small.id}"`)
    expect(body).toContain(`aria-label="Copy the id of ${small.slug}"`)
  })
})

describe('an empty fleet (item 25)', () => {
  it('offers "Create the first tenant" to an owner, and only says so to a viewer', async () => {
    const fresh = await createTestApp()
    try {
      const boss = await createSuperAdmin(fresh.db, fresh.config, { role: 'owner' })
      const watcher = await createSuperAdmin(fresh.db, fresh.config, { role: 'viewer' })
      const ownerPage = await (
        await getPage(fresh.app, '/tenants', await signIn(fresh.app, boss, fresh.clock))
      ).text()
      const viewerPage = await (
        await getPage(fresh.app, '/tenants', await signIn(fresh.app, watcher, fresh.clock))
      ).text()

      expect(ownerPage).toContain('There are no tenants yet.')
      expect(ownerPage).toContain('<a href="/tenants/new"')
      expect(ownerPage).toContain('Create the first tenant')
      expect(viewerPage).toContain('There are no tenants yet.')
      expect(viewerPage).not.toContain('Create the first tenant')
      expect(viewerPage).not.toContain('No tenants match.')
    } finally {
      await fresh.close()
    }
  })
})

describe('suspending from a row (items 13 and 14)', () => {
  it('the row form asks under htmx and opens a confirmation page without JavaScript', async () => {
    const tenant = await createTenant(t.db)
    const { body } = await html(`/tenants?q=${tenant.slug}`)
    const row = new RegExp(`<tr id="tenant-${tenant.id}"[\\s\\S]*?</tr>`).exec(body)![0]

    expect(row).toContain(`<form method="get" action="/tenants/${tenant.id}/suspension/new"`)
    expect(row).toContain(`hx-post="/tenants/${tenant.id}/suspension"`)
    expect(row).toContain(`hx-confirm="Suspend ${tenant.slug}?`)
  })

  it('the confirmation page changes nothing and posts the suspension', async () => {
    const tenant = await createTenant(t.db)
    const audit = await countRows(t.db, 'audit_log')

    const { status, body } = await html(`/tenants/${tenant.id}/suspension/new`)

    expect(status).toBe(200)
    expect(body).toContain(`Suspend ${tenant.name}?`)
    expect(body).toContain(`<form method="post" action="/tenants/${tenant.id}/suspension"`)
    expect(body).toContain(`Suspend ${tenant.slug}</button>`)
    expect(
      (
        await t.db
          .selectFrom('tenants')
          .select('status')
          .where('id', '=', tenant.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('active')
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
  })

  it('the confirmation page of a tenant that is not active says why, with 409', async () => {
    const tenant = await createTenant(t.db)
    await postForm(t.app, `/tenants/${tenant.id}/suspension`, {}, cookie)

    const { status, body } = await html(`/tenants/${tenant.id}/suspension/new`)

    expect(status).toBe(409)
    expect(body).toContain(`${tenant.slug} cannot be suspended from status suspended.`)
  })

  it('a viewer cannot open the confirmation page', async () => {
    const tenant = await createTenant(t.db)
    const viewer = await createSuperAdmin(t.db, t.config, { role: 'viewer' })

    const res = await getPage(
      t.app,
      `/tenants/${tenant.id}/suspension/new`,
      await signIn(t.app, viewer, t.clock),
    )

    expect(res.status).toBe(403)
  })

  it('without JavaScript the next page says what happened and offers Undo, which activates', async () => {
    const tenant = await createTenant(t.db)
    const done = await postForm(t.app, `/tenants/${tenant.id}/suspension`, {}, cookie, {
      referer: 'http://localhost/tenants',
    })
    const flash = cookieFrom(done, 'fleetdeck_flash')!

    const next = await html(done.headers.get('location')!, `${cookie}; ${flash}`)

    expect(next.body).toContain(`Tenant ${tenant.slug} suspended.`)
    expect(next.body).toContain(
      `<form method="post" action="/tenants/${tenant.id}/suspension" class="ml-3 inline"><input type="hidden" name="_method" value="DELETE"/>`,
    )
    expect(next.body).toContain(`aria-label="Undo: activate ${tenant.slug}"`)

    const undo = await postForm(
      t.app,
      `/tenants/${tenant.id}/suspension`,
      { _method: 'DELETE' },
      cookie,
    )
    expect(undo.status).toBe(303)
    const row = await t.db
      .selectFrom('tenants')
      .select('status')
      .where('id', '=', tenant.id)
      .executeTakeFirstOrThrow()
    expect(row.status).toBe('active')
    expect((await auditEntries(t.db, 'tenant.activate')).at(-1)?.target_id).toBe(tenant.id)
  })

  it('under htmx the row says what happened, announces it, and refreshes the status counts', async () => {
    const tenant = await createTenant(t.db)
    const suspendedBefore = await t.db
      .selectFrom('tenants')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'suspended')
      .executeTakeFirstOrThrow()

    const res = await postForm(t.app, `/tenants/${tenant.id}/suspension`, {}, cookie, {
      'HX-Request': 'true',
      'HX-Target': `tenant-${tenant.id}`,
    })
    const body = await res.text()

    expect(res.status).toBe(200)
    expect(body).toContain(`Tenant ${tenant.slug} suspended.</span>`)
    expect(body).toContain(
      `<div id="live-region" hx-swap-oob="innerHTML">Tenant ${tenant.slug} suspended.</div>`,
    )
    expect(body).toContain(
      `<span hx-swap-oob="innerHTML:#tenant-status-option-suspended">suspended (${Number(suspendedBefore.n) + 1})</span>`,
    )
    expect(body).toContain(`data-keep-focus="#tenant-${tenant.id}"`)
  })

  it('under htmx a refused action answers its reason as an alert for the page to show', async () => {
    const tenant = await createTenant(t.db)
    await postForm(t.app, `/tenants/${tenant.id}/suspension`, {}, cookie)

    const res = await postForm(t.app, `/tenants/${tenant.id}/suspension`, {}, cookie, {
      'HX-Request': 'true',
      'HX-Target': `tenant-${tenant.id}`,
    })

    expect(res.status).toBe(409)
    expect(await res.text()).toContain(`role="alert"`)
  })

  it('every console page has exactly one polite live region and a skip link', async () => {
    for (const path of ['/tenants', '/audit', '/account']) {
      const { body } = await html(path)
      expect([path, body.match(/aria-live="polite"/g)?.length]).toEqual([path, 1])
      expect(body).toContain('<a href="#main"')
      expect(body).toContain('Skip to content</a>')
      expect(body).toContain('<main id="main" tabindex="-1"')
    }
  })
})

describe('a form sent into step-up comes back filled (item 15)', () => {
  it('keeps the non-secret fields for the page step-up returns to, once', async () => {
    const tenant = await createTenant(t.db)
    const who = await createSuperAdmin(t.db, t.config, { role: 'owner' })
    const session = await signIn(t.app, who, t.clock)
    t.clock.advance(11 * 60_000)
    const page = `/tenants/${tenant.id}`

    const refused = await sendForm(
      t.app,
      'DELETE',
      page,
      { confirmSlug: tenant.slug, password: 'hunter2', totpCode: '123456' },
      session,
      { referer: `http://localhost${page}` },
    )

    expect(refused.status).toBe(303)
    expect(refused.headers.get('location')).toBe(`/step-up?next=${encodeURIComponent(page)}`)
    const kept = cookieFrom(refused, 'fleetdeck_resume')!
    expect(kept).toBeDefined()
    expect(decodeURIComponent(kept)).not.toContain('hunter2')
    expect(decodeURIComponent(kept)).not.toContain('123456')

    // The step-up page in between leaves it alone.
    const stepUp = await getPage(t.app, refused.headers.get('location')!, `${session}; ${kept}`)
    expect(await stepUp.text()).not.toContain('id="resume-form"')
    expect(cookieFrom(stepUp, 'fleetdeck_resume')).toBeUndefined()

    const back = await getPage(t.app, page, `${session}; ${kept}`)
    const body = await back.text()
    expect(body).toContain(
      `<div hidden="" id="resume-form" data-action="${page}" data-method="DELETE" data-fields="{&quot;confirmSlug&quot;:&quot;${tenant.slug}&quot;}"></div>`,
    )
    expect(back.headers.getSetCookie().some((c) => /^fleetdeck_resume=;/.test(c))).toBe(true)
    expect(
      await t.db
        .selectFrom('tenants')
        .select('status')
        .where('id', '=', tenant.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: 'active' })
  })

  it('a kept form with a forged signature is ignored', async () => {
    const tenant = await createTenant(t.db)
    const forged = `fleetdeck_resume=${encodeURIComponent(
      JSON.stringify({
        returnTo: `/tenants/${tenant.id}`,
        action: '/x',
        method: 'POST',
        fields: { a: 'b' },
      }),
    )}.AAAA`

    const body = await (
      await getPage(t.app, `/tenants/${tenant.id}`, `${cookie}; ${forged}`)
    ).text()

    expect(body).not.toContain('id="resume-form"')
  })
})
