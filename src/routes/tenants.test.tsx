import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { tenantSchemaName } from '../db/tenants.js'
import { createTenantRecord, ONBOARDING_LEASE_MS } from '../tenancy/onboarding.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import {
  createSuperAdmin,
  createTenant,
  newTenantFields,
  uniqueSuffix,
  type TestAdmin,
} from '../test-support/factories.js'
import { cookieFrom, getPage, postForm, sendForm, signIn } from '../test-support/requests.js'
import {
  alertText,
  definition,
  fieldError,
  parseHtml,
  rowCells,
  textOf,
  textsOf,
} from '../test-support/html.js'
import { useTestApp } from '../test-support/test-app.js'

const t = useTestApp()
let owner: TestAdmin
let cookie: string

beforeAll(async () => {
  ;({ owner, cookie } = await t.signedInOwner())
})

function findTenantRow(id: string) {
  return t.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

function findTenantBySlug(slug: string) {
  return t.db.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst()
}

async function schemaExists(slug: string): Promise<boolean> {
  const { rows } = await sql<{
    n: number
  }>`select count(*)::int as n from pg_namespace where nspname = ${tenantSchemaName(slug)}`.execute(
    t.db,
  )
  return rows[0].n === 1
}

function membersOf(tenantId: string) {
  return t.db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.email', 'memberships.role'])
    .where('tenant_id', '=', tenantId)
    .execute()
}

/** The `<tr>` of one tenant in a tenants table. */
function rowOf(html: string, id: string): string {
  const match = new RegExp(`<tr id="tenant-${id}"[\\s\\S]*?</tr>`).exec(html)
  if (!match) throw new Error(`no row for tenant ${id}`)
  return match[0]
}

/** Tenants, audit entries and memberships: what a refused request must leave as it was. */
async function state() {
  return {
    tenants: await t.db.selectFrom('tenants').selectAll().orderBy('id').execute(),
    audit: await countRows(t.db, 'audit_log'),
    memberships: await countRows(t.db, 'memberships'),
  }
}

async function addMember(tenantId: string, role: 'admin' | 'member' = 'member') {
  const id = crypto.randomUUID()
  await t.db
    .insertInto('users')
    .values({
      id,
      email: `m-${uniqueSuffix()}@example.com`,
      name: 'Member',
      created_at: new Date(),
    })
    .execute()
  await t.db
    .insertInto('memberships')
    .values({ user_id: id, tenant_id: tenantId, role, created_at: new Date() })
    .execute()
}

describe('the tenants table', () => {
  it('lists tenants newest first with plan, members count and status', async () => {
    const older = await createTenant(t.db, { name: 'Older Org', planId: 'professional' })
    const newer = await createTenant(t.db, { name: 'Newer Org' })
    await addMember(newer.id)
    await addMember(newer.id, 'admin')

    const res = await getPage(t.app, '/tenants', cookie)
    const body = await res.text()

    expect(res.status).toBe(200)
    expect(body.indexOf(`tenant-${newer.id}`)).toBeLessThan(body.indexOf(`tenant-${older.id}`))
    const newerRow = rowOf(body, newer.id)
    expect(newerRow).toContain(`>${newer.slug}</a>`)
    const newerCells = rowCells(body, `tenant-${newer.id}`)
    expect(newerCells).toContain('Newer Org')
    expect(newerCells).toContain('Free')
    expect(newerCells).toContain('3')
    expect(newerRow).toContain('>active</span>')
    expect(rowCells(body, `tenant-${older.id}`)).toEqual(
      expect.arrayContaining(['Professional', '1']),
    )
    expect(body).toContain('href="/tenants/new"')
  })

  it('search by ?q= matches slug or name, case-insensitively', async () => {
    const marker = `zq${uniqueSuffix()}`
    const bySlug = await createTenant(t.db, { slug: `${marker}-a` })
    const byName = await createTenant(t.db, { name: `The ${marker.toUpperCase()} Company` })
    const other = await createTenant(t.db)

    const body = await (await getPage(t.app, `/tenants?q=${marker}`, cookie)).text()

    expect(body).toContain(`tenant-${bySlug.id}`)
    expect(body).toContain(`tenant-${byName.id}`)
    expect(body).not.toContain(`tenant-${other.id}`)
    expect(body).toContain(`2 tenants matching “${marker}”`)
  })

  it('a search that matches nothing says so', async () => {
    const body = await (await getPage(t.app, '/tenants?q=nothing-matches-this', cookie)).text()

    expect(body).toContain('No tenants match.')
  })

  it('LIKE wildcards typed into the search match only themselves', async () => {
    for (const q of ['%', '_', '\\']) {
      const body = await (
        await getPage(t.app, `/tenants?q=${encodeURIComponent(q)}`, cookie)
      ).text()
      expect([q, body.includes('No tenants match.')]).toEqual([q, true])
    }
  })

  it('under htmx the search answers only the #tenant-table fragment, with Vary: HX-Request', async () => {
    const res = await getPage(t.app, '/tenants?q=org', cookie, { 'HX-Request': 'true' })
    const body = await res.text()
    const full = await getPage(t.app, '/tenants?q=org', cookie)

    expect(res.status).toBe(200)
    expect(res.headers.get('vary')).toMatch(/^HX-Request, HX-History-Restore-Request\b/)
    expect(body.startsWith('<div id="tenant-table">')).toBe(true)
    expect(body).not.toContain('<html')
    expect(body).not.toContain('id="tenant-search"')
    expect(full.headers.get('vary')).toMatch(/^HX-Request, HX-History-Restore-Request\b/)
    expect(await full.text()).toContain('<html')
  })

  it('the status filter shows only that status; deleted tenants only when asked for', async () => {
    const suspended = await createTenant(t.db)
    const deleted = await createTenant(t.db)
    await t.db
      .updateTable('tenants')
      .set({ status: 'suspended' })
      .where('id', '=', suspended.id)
      .execute()
    await t.db
      .updateTable('tenants')
      .set({ status: 'deleted' })
      .where('id', '=', deleted.id)
      .execute()

    const onlySuspended = await (await getPage(t.app, '/tenants?status=suspended', cookie)).text()
    const all = await (await getPage(t.app, '/tenants', cookie)).text()
    const onlyDeleted = await (await getPage(t.app, '/tenants?status=deleted', cookie)).text()

    expect(rowOf(onlySuspended, suspended.id)).toContain('>suspended</span>')
    expect(onlySuspended).not.toContain('>active</span>')
    expect(all).toContain(`tenant-${suspended.id}`)
    expect(all).not.toContain(`tenant-${deleted.id}`)
    expect(onlyDeleted).toContain(`tenant-${deleted.id}`)
    expect(onlyDeleted).toContain(
      '<option id="tenant-status-option-deleted" value="deleted" selected="">deleted (1)</option>',
    )
  })

  it('an unknown status or page is ignored rather than refused', async () => {
    const res = await getPage(t.app, '/tenants?status=bogus&page=-3', cookie)

    expect(res.status).toBe(200)
    expect(await res.text()).toContain('<option value="" selected="">All but deleted</option>')
  })

  it('pages by 50: 55 matching tenants give 50 on page 1 and 5 on page 2', async () => {
    const marker = `pg${uniqueSuffix()}`
    const base = Date.parse('2020-01-01T00:00:00Z')
    await t.db
      .insertInto('tenants')
      .values(
        Array.from({ length: 55 }, (_, i) => ({
          id: crypto.randomUUID(),
          slug: `${marker}-${String(i).padStart(2, '0')}`,
          name: `Paging ${i}`,
          status: 'active' as const,
          plan_id: 'free',
          billing_email: 'billing@example.com',
          first_admin_email: 'owner@example.com',
          first_admin_name: 'Owner',
          created_at: new Date(base + i * 1000),
          updated_at: new Date(base + i * 1000),
        })),
      )
      .execute()

    const first = await (await getPage(t.app, `/tenants?q=${marker}`, cookie)).text()
    const second = await (await getPage(t.app, `/tenants?q=${marker}&page=2`, cookie)).text()

    expect(first.match(/<tr id="tenant-/g)).toHaveLength(50)
    expect(first.indexOf(`${marker}-54<`)).toBeGreaterThan(0)
    expect(first).not.toContain(`${marker}-04<`)
    expect(first).toContain('Page 1 of 2')
    expect(first).toContain(`rel="next" href="/tenants?q=${marker}&amp;page=2"`)
    expect(second.match(/<tr id="tenant-/g)).toHaveLength(5)
    expect(second).toContain(`${marker}-00<`)
    expect(second).toContain('Page 2 of 2')
    expect(second).toContain(`rel="prev" href="/tenants?q=${marker}"`)
  })
})

describe('creating a tenant', () => {
  it('GET /tenants/new shows the form with a label for every field and the three plans', async () => {
    const res = await getPage(t.app, '/tenants/new', cookie)
    const body = await res.text()

    expect(res.status).toBe(200)
    for (const field of [
      'slug',
      'name',
      'planId',
      'billingEmail',
      'firstAdminEmail',
      'firstAdminName',
    ]) {
      expect(body).toContain(`<label for="field-${field}"`)
    }
    expect(body.match(/<option value="(free|professional|enterprise)"/g)).toHaveLength(3)
  })

  it('a valid form onboards the tenant: active, schema, owner membership, audit entries', async () => {
    const fields = newTenantFields({ planId: 'enterprise' })

    const res = await postForm(t.app, '/tenants', { ...fields }, cookie)

    const tenant = (await findTenantBySlug(fields.slug))!
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/tenants/${tenant.id}`)
    expect(tenant).toMatchObject({
      status: 'active',
      name: fields.name,
      plan_id: 'enterprise',
      billing_email: fields.billingEmail,
      provisioning_error: null,
    })
    expect(await schemaExists(fields.slug)).toBe(true)
    expect(await membersOf(tenant.id)).toEqual([{ email: fields.firstAdminEmail, role: 'owner' }])
    const audit = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .orderBy('seq')
      .execute()
    expect(audit.map((a) => a.action)).toEqual([
      'tenant.create',
      'tenant.provision.create_schema',
      'tenant.provision.migrate',
      'tenant.provision.seed_roles',
      'tenant.provision.first_admin',
      'tenant.provision.activate',
    ])
    expect(
      audit.every((a) => a.actor_id === owner.admin.id && a.actor_email === owner.admin.email),
    ).toBe(true)
    expect(audit[0].after).toMatchObject({
      slug: fields.slug,
      name: fields.name,
      plan: 'enterprise',
    })

    const page = await getPage(
      t.app,
      `/tenants/${tenant.id}`,
      `${cookie}; ${cookieFrom(res, 'fleetdeck_flash')}`,
    )
    expect(await page.text()).toContain(`Tenant ${fields.slug} is ready.`)
  })

  it('under htmx a valid form answers HX-Redirect to the new tenant', async () => {
    const fields = newTenantFields()

    const res = await postForm(t.app, '/tenants', { ...fields }, cookie, { 'HX-Request': 'true' })

    const tenant = (await findTenantBySlug(fields.slug))!
    expect(res.status).toBe(200)
    expect(res.headers.get('hx-redirect')).toBe(`/tenants/${tenant.id}`)
    expect(tenant.status).toBe('active')
  })

  it.each([
    [
      'an invalid slug',
      { slug: 'Bad_Slug' },
      'slug',
      'Use 2–39 lowercase letters, digits or dashes, starting with a letter.',
    ],
    [
      'a slug starting with a digit',
      { slug: '1abc' },
      'slug',
      'Use 2–39 lowercase letters, digits or dashes, starting with a letter.',
    ],
    [
      'a bad billing email',
      { billingEmail: 'not-an-email' },
      'billingEmail',
      'Enter a valid email address.',
    ],
    [
      'a bad first admin email',
      { firstAdminEmail: 'nope' },
      'firstAdminEmail',
      'Enter a valid email address.',
    ],
    ['an empty name', { name: '  ' }, 'name', 'Enter a name.'],
    ['an unknown plan', { planId: 'platinum' }, 'planId', 'Choose one of the plans.'],
  ])(
    '%s answers 422 with the message next to the field, and creates nothing',
    async (_what, override, field, message) => {
      const fields = { ...newTenantFields(), ...override }
      const before = await state()

      const res = await postForm(t.app, '/tenants', fields, cookie)
      const body = await res.text()

      expect(res.status).toBe(422)
      expect(body).toContain(`aria-describedby="field-${field}-error"`)
      expect(fieldError(body, field)).toBe(message)
      expect(body).toContain(`value="${fields.billingEmail}"`)
      expect(await state()).toEqual(before)
    },
  )

  it('a taken slug answers 422 next to the slug, and creates nothing', async () => {
    const taken = await createTenant(t.db)
    const before = await state()

    const res = await postForm(
      t.app,
      '/tenants',
      { ...newTenantFields({ slug: taken.slug }) },
      cookie,
    )

    expect(res.status).toBe(422)
    expect(fieldError(await res.text(), 'slug')).toBe(
      'This slug is taken (deleted tenants keep theirs).',
    )
    expect(await state()).toEqual(before)
  })

  it('under htmx an invalid form answers only the form fragment', async () => {
    const res = await postForm(t.app, '/tenants', { ...newTenantFields({ slug: '-' }) }, cookie, {
      'HX-Request': 'true',
    })
    const body = await res.text()

    expect(res.status).toBe(422)
    expect(body.startsWith('<form id="tenant-form"')).toBe(true)
    expect(body).toContain('id="field-slug-error"')
    expect(body).not.toContain('<html')
  })
})

describe('the tenant page', () => {
  it('shows overview, schema, onboarding steps, members and recent audit entries', async () => {
    const tenant = await createTenant(t.db, { name: 'Page Org', planId: 'professional' })

    const res = await getPage(t.app, `/tenants/${tenant.id}`, cookie)
    const body = await res.text()

    expect(res.status).toBe(200)
    expect(textOf(body, 'h1')).toBe('Page Org')
    expect(definition(body, 'Plan')).toBe('Professional')
    expect(definition(body, 'Schema')).toMatch(
      new RegExp(
        `^${tenantSchemaName(tenant.slug)}: present, \\d+ tables, migrations 1/1 applied$`,
      ),
    )
    const steps = textsOf(body, '#onboarding li')
    expect(steps).toHaveLength(5)
    expect(steps.every((step) => step.endsWith(' done'))).toBe(true)
    expect(body).toContain(tenant.firstAdminEmail)
    expect(body).toContain('tenant.provision.activate')
    expect(body).not.toContain('Retry onboarding')
  })

  it('an unknown tenant id answers the 404 page with a request id', async () => {
    const res = await getPage(t.app, `/tenants/${crypto.randomUUID()}`, cookie)
    const body = await res.text()

    expect(res.status).toBe(404)
    expect(body).toContain('No such tenant.')
    expect(body).toContain(`<code id="request-id">${res.headers.get('x-request-id')}</code>`)
  })

  it('/tenants/not-a-uuid answers 404', async () => {
    const res = await getPage(t.app, '/tenants/not-a-uuid', cookie)

    expect(res.status).toBe(404)
    expect(await res.text()).toContain('id="request-id"')
  })

  it('an unknown path answers the 404 page with a request id', async () => {
    const res = await getPage(t.app, '/tenants/x/y/z', cookie)

    expect(res.status).toBe(404)
    expect(await res.text()).toContain('id="request-id"')
  })
})

describe('editing a tenant', () => {
  it('a plan change sets plan_changed_at and audits tenant.edit with only the changed field', async () => {
    const tenant = await createTenant(t.db, { planId: 'free' })

    const res = await postForm(
      t.app,
      `/tenants/${tenant.id}`,
      { name: tenant.name, planId: 'professional', billingEmail: tenant.billingEmail },
      cookie,
    )

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/tenants/${tenant.id}`)
    const row = await findTenantRow(tenant.id)
    expect(row.plan_id).toBe('professional')
    expect(row.plan_changed_at).toEqual(new Date(t.clock.now()))
    expect((await auditEntries(t.db, 'tenant.edit')).at(-1)).toMatchObject({
      tenant_id: tenant.id,
      actor_id: owner.admin.id,
      before: { planId: 'free' },
      after: { planId: 'professional' },
    })
  })

  it('a name change alone leaves plan_changed_at empty', async () => {
    const tenant = await createTenant(t.db)

    await postForm(
      t.app,
      `/tenants/${tenant.id}`,
      { name: 'Renamed Org', planId: tenant.planId, billingEmail: tenant.billingEmail },
      cookie,
    )

    const row = await findTenantRow(tenant.id)
    expect(row).toMatchObject({ name: 'Renamed Org', plan_changed_at: null })
    expect((await auditEntries(t.db, 'tenant.edit')).at(-1)).toMatchObject({
      before: { name: tenant.name },
      after: { name: 'Renamed Org' },
    })
  })

  it('an invalid billing email answers 422 with the message next to the field, and changes nothing', async () => {
    const tenant = await createTenant(t.db)
    const before = await state()

    const res = await postForm(
      t.app,
      `/tenants/${tenant.id}`,
      { name: 'New Name', planId: 'enterprise', billingEmail: 'broken' },
      cookie,
    )
    const body = await res.text()

    expect(res.status).toBe(422)
    expect(body).toContain('aria-describedby="field-billingEmail-error"')
    expect(fieldError(body, 'billingEmail')).toBe('Enter a valid email address.')
    expect(body).toContain('value="New Name"')
    expect(await state()).toEqual(before)
  })

  it('an unknown plan answers 422 and changes nothing', async () => {
    const tenant = await createTenant(t.db)
    const before = await state()

    const res = await postForm(
      t.app,
      `/tenants/${tenant.id}`,
      { name: tenant.name, planId: 'gold', billingEmail: tenant.billingEmail },
      cookie,
    )

    expect(res.status).toBe(422)
    expect(await res.text()).toContain('Choose one of the plans.')
    expect(await state()).toEqual(before)
  })

  it('saving without changes writes no audit entry', async () => {
    const tenant = await createTenant(t.db)
    const before = await state()

    const res = await postForm(
      t.app,
      `/tenants/${tenant.id}`,
      { name: tenant.name, planId: tenant.planId, billingEmail: tenant.billingEmail },
      cookie,
    )

    expect(res.status).toBe(303)
    expect(await state()).toEqual(before)
  })

  it('a deleted tenant cannot be edited: 409 and nothing changes', async () => {
    const tenant = await createTenant(t.db)
    await t.db
      .updateTable('tenants')
      .set({ status: 'deleted' })
      .where('id', '=', tenant.id)
      .execute()
    const before = await state()

    const res = await postForm(
      t.app,
      `/tenants/${tenant.id}`,
      { name: 'Zombie', planId: 'free', billingEmail: 'z@example.com' },
      cookie,
    )

    expect(res.status).toBe(409)
    expect(await state()).toEqual(before)
  })
})

describe('suspending and activating', () => {
  it('POST suspension suspends an active tenant, stamps suspended_at and audits it', async () => {
    const tenant = await createTenant(t.db)

    const res = await postForm(t.app, `/tenants/${tenant.id}/suspension`, {}, cookie)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/tenants')
    const row = await findTenantRow(tenant.id)
    expect(row).toMatchObject({ status: 'suspended', suspended_at: new Date(t.clock.now()) })
    expect((await auditEntries(t.db, 'tenant.suspend')).at(-1)).toMatchObject({
      tenant_id: tenant.id,
      actor_id: owner.admin.id,
      before: { status: 'active' },
      after: { status: 'suspended' },
    })
  })

  it('from the tenant page the redirect goes back to the tenant page', async () => {
    const tenant = await createTenant(t.db)

    const res = await postForm(t.app, `/tenants/${tenant.id}/suspension`, {}, cookie, {
      referer: `http://localhost/tenants/${tenant.id}`,
    })

    expect(res.headers.get('location')).toBe(`/tenants/${tenant.id}`)
  })

  it('under htmx it answers the tenant row fragment, now with an Undo (activate) button', async () => {
    const tenant = await createTenant(t.db)

    const res = await postForm(t.app, `/tenants/${tenant.id}/suspension`, {}, cookie, {
      'HX-Request': 'true',
      'HX-Target': `tenant-${tenant.id}`,
    })
    const body = await res.text()

    expect(res.status).toBe(200)
    expect(body.startsWith(`<tr id="tenant-${tenant.id}"`)).toBe(true)
    expect(body).toContain('>suspended</span>')
    // Since issue #6 item 13 the activation right after a suspension is offered as Undo.
    expect(body).toContain(`aria-label="Undo: activate ${tenant.slug}"`)
    expect(rowCells(body, `tenant-${tenant.id}`)).toContain('1')
    expect((await findTenantRow(tenant.id)).status).toBe('suspended')
  })

  it('under htmx from the tenant page it answers the header fragment', async () => {
    const tenant = await createTenant(t.db)

    const res = await postForm(t.app, `/tenants/${tenant.id}/suspension`, {}, cookie, {
      'HX-Request': 'true',
      'HX-Target': 'tenant-header',
    })
    const body = await res.text()

    expect(body.startsWith('<div id="tenant-header"')).toBe(true)
    expect(body).toContain('>suspended</span>')
  })

  it('DELETE suspension activates a suspended tenant and clears suspended_at', async () => {
    const tenant = await createTenant(t.db)
    await postForm(t.app, `/tenants/${tenant.id}/suspension`, {}, cookie)

    const res = await sendForm(t.app, 'DELETE', `/tenants/${tenant.id}/suspension`, {}, cookie, {
      'HX-Request': 'true',
    })

    expect(res.status).toBe(200)
    expect(await res.text()).toContain(`aria-label="Suspend ${tenant.slug}"`)
    expect(await findTenantRow(tenant.id)).toMatchObject({ status: 'active', suspended_at: null })
    expect((await auditEntries(t.db, 'tenant.activate')).at(-1)).toMatchObject({
      tenant_id: tenant.id,
      before: { status: 'suspended' },
      after: { status: 'active' },
    })
  })

  it('a form POST with _method=DELETE activates too (no JavaScript)', async () => {
    const tenant = await createTenant(t.db)
    await postForm(t.app, `/tenants/${tenant.id}/suspension`, {}, cookie)

    const res = await postForm(
      t.app,
      `/tenants/${tenant.id}/suspension`,
      { _method: 'DELETE' },
      cookie,
    )

    expect(res.status).toBe(303)
    expect((await findTenantRow(tenant.id)).status).toBe('active')
  })

  it('suspending a suspended tenant answers 409 and changes nothing', async () => {
    const tenant = await createTenant(t.db)
    await postForm(t.app, `/tenants/${tenant.id}/suspension`, {}, cookie)
    t.clock.advance(1000)
    const before = await state()

    const res = await postForm(t.app, `/tenants/${tenant.id}/suspension`, {}, cookie)

    expect(res.status).toBe(409)
    expect(await res.text()).toContain(`${tenant.slug} cannot be suspended from status suspended.`)
    expect(await state()).toEqual(before)
  })

  it('activating an active tenant answers 409 and changes nothing', async () => {
    const tenant = await createTenant(t.db)
    const before = await state()

    const res = await sendForm(t.app, 'DELETE', `/tenants/${tenant.id}/suspension`, {}, cookie)

    expect(res.status).toBe(409)
    expect(await state()).toEqual(before)
  })

  it('an unknown tenant answers 404', async () => {
    const res = await postForm(t.app, `/tenants/${crypto.randomUUID()}/suspension`, {}, cookie)

    expect(res.status).toBe(404)
  })
})

describe('deleting a tenant', () => {
  it('a wrong confirmation slug answers 422 and leaves the schema and memberships', async () => {
    const tenant = await createTenant(t.db)
    const before = await state()

    const res = await sendForm(
      t.app,
      'DELETE',
      `/tenants/${tenant.id}`,
      { confirmSlug: `${tenant.slug}x` },
      cookie,
    )
    const body = await res.text()

    expect(res.status).toBe(422)
    expect(fieldError(body, 'confirmSlug')).toBe(
      `Type ${tenant.slug} exactly to delete this tenant.`,
    )
    expect(await schemaExists(tenant.slug)).toBe(true)
    expect(await state()).toEqual(before)
  })

  it('the right slug backs the tenant up and marks it deleted for the grace period, keeping schema and memberships', async () => {
    const tenant = await createTenant(t.db)
    await addMember(tenant.id)

    const res = await postForm(
      t.app,
      `/tenants/${tenant.id}`,
      { _method: 'DELETE', confirmSlug: tenant.slug },
      cookie,
    )

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/tenants')
    const now = t.clock.now()
    expect(await findTenantRow(tenant.id)).toMatchObject({
      status: 'deleted',
      deleted_at: new Date(now),
      purge_after: new Date(now + 14 * 86_400_000),
    })
    // Issue 11 item 6: nothing the restore needs goes before the purge.
    expect(await schemaExists(tenant.slug)).toBe(true)
    expect(await membersOf(tenant.id)).toHaveLength(2)
    const backup = await t.db
      .selectFrom('tenant_backups')
      .select(['id', 'reason'])
      .where('tenant_id', '=', tenant.id)
      .executeTakeFirstOrThrow()
    expect(backup.reason).toBe('pre_delete')
    expect((await auditEntries(t.db, 'tenant.delete')).at(-1)).toMatchObject({
      tenant_id: tenant.id,
      actor_id: owner.admin.id,
      before: { status: 'active', slug: tenant.slug },
      after: { status: 'deleted', backupId: backup.id, impersonationsEnded: 0 },
    })

    const page = await (await getPage(t.app, `/tenants/${tenant.id}`, cookie)).text()
    expect(page).toContain('>deleted</span>')
    expect(page).not.toContain('Delete this tenant')
    expect(page).not.toContain('Save changes')
  })

  it('under htmx a DELETE with the right slug answers HX-Redirect to the table', async () => {
    const tenant = await createTenant(t.db)

    const res = await sendForm(
      t.app,
      'DELETE',
      `/tenants/${tenant.id}`,
      { confirmSlug: tenant.slug },
      cookie,
      { 'HX-Request': 'true' },
    )

    expect(res.headers.get('hx-redirect')).toBe('/tenants')
    expect((await findTenantRow(tenant.id)).status).toBe('deleted')
  })

  it('a deleted tenant keeps its slug: creating it again answers 422', async () => {
    const tenant = await createTenant(t.db)
    await sendForm(t.app, 'DELETE', `/tenants/${tenant.id}`, { confirmSlug: tenant.slug }, cookie)
    const before = await state()

    const res = await postForm(
      t.app,
      '/tenants',
      { ...newTenantFields({ slug: tenant.slug }) },
      cookie,
    )

    expect(res.status).toBe(422)
    expect(await res.text()).toContain('This slug is taken (deleted tenants keep theirs).')
    expect(await state()).toEqual(before)
  })

  it('deleting a deleted tenant again answers 409 and changes nothing', async () => {
    const tenant = await createTenant(t.db)
    await sendForm(t.app, 'DELETE', `/tenants/${tenant.id}`, { confirmSlug: tenant.slug }, cookie)
    const before = await state()

    const res = await sendForm(
      t.app,
      'DELETE',
      `/tenants/${tenant.id}`,
      { confirmSlug: tenant.slug },
      cookie,
    )

    expect(res.status).toBe(409)
    expect(await state()).toEqual(before)
  })
})

describe('retrying a failed onboarding', () => {
  const fields = newTenantFields()
  const schema = tenantSchemaName(fields.slug)
  let tenantId: string

  beforeAll(async () => {
    // A leftover table where the tenant migration wants to create its own makes `migrate` fail.
    await sql`create schema ${sql.id(schema)}`.execute(t.db)
    await sql`create table ${sql.table(`${schema}.roles`)} (id text)`.execute(t.db)
  })

  it('a failing step leaves the tenant failed with the error, shown on its page with a Retry button', async () => {
    const res = await postForm(t.app, '/tenants', { ...fields }, cookie)
    const tenant = (await findTenantBySlug(fields.slug))!
    tenantId = tenant.id

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/tenants/${tenant.id}`)
    expect(tenant.status).toBe('failed')
    expect(tenant.provisioning_error).toMatch(/^Apply tenant migrations: .*roles/)
    const steps = await t.db
      .selectFrom('tenant_provisioning_steps')
      .select(['step', 'status', 'error'])
      .where('tenant_id', '=', tenant.id)
      .orderBy('position')
      .execute()
    expect(steps.map((s) => [s.step, s.status])).toEqual([
      ['create_schema', 'done'],
      ['migrate', 'failed'],
      ['seed_roles', 'pending'],
      ['first_admin', 'pending'],
      ['activate', 'pending'],
    ])
    expect(steps[1].error).toContain('roles')
    expect((await auditEntries(t.db, 'tenant.provision.failed')).at(-1)).toMatchObject({
      tenant_id: tenant.id,
      after: { step: 'migrate' },
    })
    expect(await membersOf(tenant.id)).toEqual([])

    const page = await getPage(
      t.app,
      `/tenants/${tenant.id}`,
      `${cookie}; ${cookieFrom(res, 'fleetdeck_flash')}`,
    )
    const body = await page.text()
    expect(body).toContain(`Onboarding of ${fields.slug} failed at “Apply tenant migrations”:`)
    expect(body).toContain('Onboarding failed — Apply tenant migrations:')
    expect(body).toContain(`<form method="post" action="/tenants/${tenant.id}/onboarding"`)
    expect(body).toContain('Retry onboarding</button>')
    expect(body).toContain('>failed</span>')
  })

  it('a retry before the cause is fixed fails again at the same step', async () => {
    const res = await postForm(t.app, `/tenants/${tenantId}/onboarding`, {}, cookie)

    expect(res.status).toBe(303)
    expect((await findTenantRow(tenantId)).status).toBe('failed')
    const page = await getPage(
      t.app,
      `/tenants/${tenantId}`,
      `${cookie}; ${cookieFrom(res, 'fleetdeck_flash')}`,
    )
    expect(await page.text()).toMatch(
      /Onboarding of [a-z0-9-]+ failed at “Apply tenant migrations”:/,
    )
    expect((await auditEntries(t.db, 'tenant.provision.retry')).at(-1)).toMatchObject({
      tenant_id: tenantId,
      before: { status: 'failed' },
      after: { status: 'provisioning' },
    })
  })

  it('once the cause is fixed, a retry finishes onboarding and the tenant becomes active', async () => {
    await sql`drop table ${sql.table(`${schema}.roles`)}`.execute(t.db)

    const res = await postForm(t.app, `/tenants/${tenantId}/onboarding`, {}, cookie)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/tenants/${tenantId}`)
    expect(await findTenantRow(tenantId)).toMatchObject({
      status: 'active',
      provisioning_error: null,
    })
    const steps = await t.db
      .selectFrom('tenant_provisioning_steps')
      .select('status')
      .where('tenant_id', '=', tenantId)
      .execute()
    expect(steps.every((s) => s.status === 'done')).toBe(true)
    expect(await membersOf(tenantId)).toEqual([{ email: fields.firstAdminEmail, role: 'owner' }])
    expect(
      (await auditEntries(t.db, 'tenant.provision.create_schema')).filter(
        (a) => a.tenant_id === tenantId,
      ),
    ).toHaveLength(1)
    const page = await (await getPage(t.app, `/tenants/${tenantId}`, cookie)).text()
    expect(page).not.toContain('Retry onboarding')
    expect(page).not.toContain('Onboarding failed')
  })

  it('retrying an active tenant answers 409 and changes nothing', async () => {
    const before = await state()

    const res = await postForm(t.app, `/tenants/${tenantId}/onboarding`, {}, cookie)

    expect(res.status).toBe(409)
    expect(await state()).toEqual(before)
  })
})

describe('roles', () => {
  let tenantId: string
  let tenantSlug: string

  beforeAll(async () => {
    const tenant = await createTenant(t.db)
    tenantId = tenant.id
    tenantSlug = tenant.slug
  })

  async function cookieFor(role: 'admin' | 'operator' | 'support' | 'viewer') {
    return signIn(t.app, await createSuperAdmin(t.db, t.config, { role }), t.clock)
  }

  it('a viewer sees the tenants table without New tenant, and cannot open the form (403)', async () => {
    const viewer = await cookieFor('viewer')

    const list = await getPage(t.app, '/tenants', viewer)
    const form = await getPage(t.app, '/tenants/new', viewer)

    expect(list.status).toBe(200)
    const body = await list.text()
    expect(body).not.toContain('href="/tenants/new"')
    expect(body).not.toContain('aria-label="Suspend')
    expect(form.status).toBe(403)
    expect(await form.text()).toContain('Your role does not allow this.')
  })

  it('a viewer cannot create, edit, suspend, delete or retry: 403 and nothing changes', async () => {
    const viewer = await cookieFor('viewer')
    const before = await state()

    const responses = [
      await postForm(t.app, '/tenants', { ...newTenantFields() }, viewer),
      await postForm(
        t.app,
        `/tenants/${tenantId}`,
        { name: 'X', planId: 'free', billingEmail: 'x@example.com' },
        viewer,
      ),
      await postForm(t.app, `/tenants/${tenantId}/suspension`, {}, viewer),
      await sendForm(t.app, 'DELETE', `/tenants/${tenantId}`, { confirmSlug: tenantSlug }, viewer),
      await postForm(t.app, `/tenants/${tenantId}/onboarding`, {}, viewer),
    ]

    expect(responses.map((r) => r.status)).toEqual([403, 403, 403, 403, 403])
    expect(await state()).toEqual(before)
  })

  it('under htmx a refusal answers a short alert fragment', async () => {
    const viewer = await cookieFor('viewer')

    const res = await postForm(t.app, `/tenants/${tenantId}/suspension`, {}, viewer, {
      'HX-Request': 'true',
    })

    expect(res.status).toBe(403)
    const body = await res.text()
    expect(alertText(body)).toBe('Your role does not allow this.')
    expect(parseHtml(body).childNodes.filter((n) => n.nodeType === 1)).toHaveLength(1)
  })

  it('support cannot suspend a tenant', async () => {
    const support = await cookieFor('support')
    const before = await state()

    const res = await postForm(t.app, `/tenants/${tenantId}/suspension`, {}, support)

    expect(res.status).toBe(403)
    expect(await state()).toEqual(before)
  })

  it('an operator can suspend and activate but cannot delete or edit', async () => {
    const operator = await cookieFor('operator')

    const suspend = await postForm(t.app, `/tenants/${tenantId}/suspension`, {}, operator)
    const activate = await sendForm(
      t.app,
      'DELETE',
      `/tenants/${tenantId}/suspension`,
      {},
      operator,
    )
    const before = await state()
    const remove = await sendForm(
      t.app,
      'DELETE',
      `/tenants/${tenantId}`,
      { confirmSlug: tenantSlug },
      operator,
    )
    const edit = await postForm(
      t.app,
      `/tenants/${tenantId}`,
      { name: 'X', planId: 'free', billingEmail: 'x@example.com' },
      operator,
    )

    expect([suspend.status, activate.status]).toEqual([303, 303])
    expect([remove.status, edit.status]).toEqual([403, 403])
    expect(await schemaExists(tenantSlug)).toBe(true)
    expect(await state()).toEqual(before)
    const page = await (await getPage(t.app, `/tenants/${tenantId}`, operator)).text()
    expect(page).not.toContain('Delete this tenant')
    expect(page).not.toContain('Save changes')
  })

  it('an admin can delete a tenant', async () => {
    const admin = await cookieFor('admin')

    const res = await sendForm(
      t.app,
      'DELETE',
      `/tenants/${tenantId}`,
      { confirmSlug: tenantSlug },
      admin,
    )

    expect(res.status).toBe(303)
    expect((await findTenantRow(tenantId)).status).toBe('deleted')
  })
})

describe('an interrupted onboarding on the tenant page', () => {
  /** A tenant whose onboarding run last made progress at `lastProgressAt`, then stopped. */
  async function stoppedOnboarding(lastProgressAt: Date) {
    const result = await createTenantRecord(t.db, {}, newTenantFields(), new Date(0))
    if (!result.ok) throw new Error('slug taken')
    const created = result.tenant
    await t.db
      .updateTable('tenants')
      .set({ updated_at: lastProgressAt })
      .where('id', '=', created.id)
      .execute()
    return created
  }

  it("within the run's lease, explains when Retry becomes available and why, without a Retry button", async () => {
    const lastProgressAt = new Date(t.clock.now() - 60_000)
    const tenant = await stoppedOnboarding(lastProgressAt)
    const availableAt = new Date(lastProgressAt.getTime() + ONBOARDING_LEASE_MS)

    const body = await (await getPage(t.app, `/tenants/${tenant.id}`, cookie)).text()

    expect(body).toContain('Onboarding is running, or was interrupted')
    expect(body).toContain(
      `Retry becomes available at <time datetime="${availableAt.toISOString()}">`,
    )
    expect(body).toContain('5-minute lease expires')
    expect(body).not.toContain('Retry onboarding</button>')
  })

  it('after the lease, says the run was interrupted and offers Retry, which is audited and finishes', async () => {
    // Past the lease on the app's clock and on the database's, which the claim reads.
    const tenant = await stoppedOnboarding(
      new Date(Math.min(t.clock.now(), Date.now()) - ONBOARDING_LEASE_MS - 60_000),
    )

    const body = await (await getPage(t.app, `/tenants/${tenant.id}`, cookie)).text()
    expect(body).toContain('Onboarding was interrupted: no step has finished since')
    expect(body).toContain('Retry onboarding</button>')

    const res = await postForm(t.app, `/tenants/${tenant.id}/onboarding`, {}, cookie)

    expect(res.status).toBe(303)
    expect((await findTenantRow(tenant.id)).status).toBe('active')
    expect((await auditEntries(t.db, 'tenant.provision.retry')).at(-1)).toMatchObject({
      tenant_id: tenant.id,
      actor_id: owner.admin.id,
      before: { status: 'provisioning', interrupted: true },
      after: { status: 'provisioning' },
    })
  })
})
