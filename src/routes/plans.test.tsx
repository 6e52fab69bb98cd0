import { beforeAll, describe, expect, it } from 'vitest'
import { listFlags } from '../db/flags.js'
import { listPlansCached } from '../db/plans.js'
import { deleteTestTenant } from '../test-support/deletion.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import {
  addMembership,
  createFlag,
  createTenant,
  createUser,
  newTenantFields,
  uniqueSuffix,
} from '../test-support/factories.js'
import { alertText, fieldError, parseHtml, tableRow, textOf } from '../test-support/html.js'
import {
  cookieOfRole,
  followWithFlash,
  insertTestPlan,
  planRow,
  recordApiCalls,
  recordStorage,
} from '../test-support/plan-scenes.js'
import { getPage, postForm, sendForm } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

// /plans (issue 9 item 1): the list every role reads, and what owners and admins change:
// create, edit with the impact shown before a tighter quota is saved, included features,
// archive and delete — each audited, each refusal with nothing changed.

const t = useTestApp()
let cookie: string

beforeAll(async () => {
  ;({ cookie } = await t.signedInOwner())
})

const now = () => new Date(t.clock.now())
const today = () => now().toISOString().slice(0, 10)

/** A complete create form for a new plan; `o` overrides fields. */
function planForm(o: Record<string, string> = {}): Record<string, string> {
  return {
    id: `team-${uniqueSuffix()}`,
    name: 'Team',
    priceMonthly: '19.90',
    priceYearly: '199',
    currency: 'eur',
    maxMembers: '10',
    maxStorage: '5 GB',
    maxCustomDomains: '',
    maxApiCallsPerDay: '5000',
    isPublic: 'on',
    ...o,
  }
}

/** The edit form of a plan as its page fills it, with `o` changed. */
async function editForm(id: string, o: Record<string, string> = {}) {
  const html = await (await getPage(t.app, `/plans/${id}`, cookie)).text()
  const form = parseHtml(html).querySelector('#plan-form')!
  const fields: Record<string, string> = {}
  for (const input of form.querySelectorAll('input')) {
    const name = input.getAttribute('name')
    const type = input.getAttribute('type')
    if (!name || (type === 'checkbox' && !input.hasAttribute('checked'))) continue
    if (name === 'features') continue
    fields[name] = input.getAttribute('value') ?? (type === 'checkbox' ? 'on' : '')
  }
  return { ...fields, ...o }
}

describe('the plans list', () => {
  it('shows every role the plans with prices, quotas in human units, unlimited, features and tenants', async () => {
    const flag = await createFlag(t.db, {
      key: `sso-${uniqueSuffix()}`,
      planValues: { enterprise: true },
    })
    await createFlag(t.db, { key: `off-${uniqueSuffix()}`, planValues: { enterprise: false } })
    const tenant = await createTenant(t.db, { planId: 'enterprise' })
    const viewer = await cookieOfRole(t.db, t.config, 'viewer', now())
    const res = await getPage(t.app, '/plans', viewer)
    expect(res.status).toBe(200)
    const html = await res.text()
    const row = tableRow(html, 'plan-enterprise')
    expect(row).toMatchObject({
      Monthly: '$499.00',
      Yearly: '$4,990.00',
      Members: 'Unlimited',
      Storage: '1.0 TB',
      'Custom domains': '10',
      'API calls / day': 'Unlimited',
      State: 'public',
    })
    expect(textOf(html, '#plan-enterprise th code')).toBe('enterprise')
    expect(row['Included features']).toBe(flag.key)
    expect(row.Tenants).toContain('1')
    expect(tableRow(html, 'plan-free')).toMatchObject({ Storage: '1.0 GB', Members: '5' })
    expect(html).not.toContain('New plan')
    await deleteTestTenant(t.database, tenant.id)
  })

  it('offers owners and admins the New plan link and the edit pages', async () => {
    const admin = await cookieOfRole(t.db, t.config, 'admin', now())
    expect(await (await getPage(t.app, '/plans', admin)).text()).toContain('href="/plans/new"')
    expect((await getPage(t.app, '/plans/free', admin)).status).toBe(200)
  })

  it('refuses operators, support and viewers the edit page and every change (403), changing nothing', async () => {
    for (const role of ['operator', 'support', 'viewer'] as const) {
      const who = await cookieOfRole(t.db, t.config, role, now())
      expect((await getPage(t.app, '/plans/free', who)).status).toBe(403)
      const before = await countRows(t.db, 'audit_log')
      const res = await postForm(t.app, '/plans', planForm(), who)
      expect(res.status).toBe(403)
      expect(await countRows(t.db, 'audit_log')).toBe(before)
    }
  })
})

describe('creating a plan', () => {
  it('stores prices in cents, storage in bytes, a blank quota as unlimited and the features, audited', async () => {
    const beta = await createFlag(t.db, { key: `beta-${uniqueSuffix()}` })
    const fields = { ...planForm({ maxCustomDomains: '' }) }
    const body = new URLSearchParams(fields)
    body.append('features', beta.id)
    const res = await t.app.request('/plans', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'http://localhost',
        cookie,
      },
      body: body.toString(),
    })
    expect(res.status).toBe(303)
    expect(await followWithFlash(t.app, res, cookie)).toContain('Plan Team created.')
    expect(await planRow(t.db, fields.id)).toMatchObject({
      name: 'Team',
      price_cents_monthly: 1990,
      price_cents_yearly: 19900,
      currency: 'eur',
      max_members: 10,
      max_custom_domains: null,
      is_public: true,
      archived_at: null,
    })
    const row = (await planRow(t.db, fields.id))!
    expect(Number(row.max_storage_bytes)).toBe(5 * 1024 ** 3)
    expect(Number(row.max_api_calls_per_day)).toBe(5000)
    const flag = (await listFlags(t.db)).find((f) => f.id === beta.id)!
    expect(flag.planValues[fields.id]).toBe(true)
    const [entry] = (await auditEntries(t.db, 'plan.create')).filter(
      (e) => e.target_id === fields.id,
    )
    expect(entry.after).toMatchObject({ priceCentsMonthly: 1990, features: [beta.key] })
    expect((await listPlansCached(t.db)).some((p) => p.id === fields.id)).toBe(true)
  })

  it.each([
    ['an id with capitals', { id: 'Team' }, 'id', 'Use 2–31 lowercase letters'],
    ['a price with three decimals', { priceMonthly: '1.999' }, 'priceMonthly', 'Enter a price'],
    ['a negative price', { priceYearly: '-5' }, 'priceYearly', 'Enter a price'],
    ['a two-letter currency', { currency: 'eu' }, 'currency', 'three-letter'],
    ['storage in words', { maxStorage: 'lots' }, 'maxStorage', 'Enter a size'],
    ['a fractional member quota', { maxMembers: '2.5' }, 'maxMembers', 'whole number'],
    ['no name', { name: ' ' }, 'name', 'Enter a name.'],
  ])(
    'refuses %s with 422 and the message next to the field, storing nothing',
    async (_, o, field, message) => {
      const before = await countRows(t.db, 'audit_log')
      const fields = planForm(o)
      const res = await postForm(t.app, '/plans', fields, cookie)
      expect(res.status).toBe(422)
      expect(fieldError(await res.text(), field)).toContain(message)
      expect(await countRows(t.db, 'audit_log')).toBe(before)
      expect(await planRow(t.db, fields.id)).toBeUndefined()
    },
  )

  it('refuses an id already taken with 422, leaving that plan as it was', async () => {
    const res = await postForm(t.app, '/plans', planForm({ id: 'free', name: 'Hijack' }), cookie)
    expect(res.status).toBe(422)
    expect(fieldError(await res.text(), 'id')).toBe('A plan with this id already exists.')
    expect((await planRow(t.db, 'free'))!.name).toBe('Free')
  })

  it('answers 400 to a malformed feature id', async () => {
    const res = await postForm(t.app, '/plans', planForm({ features: 'not-a-uuid' }), cookie)
    expect(res.status).toBe(400)
  })
})

describe('editing a plan', () => {
  /** A plan with three tenants: 4, 2 and 1 members (owner included), storage and API usage. */
  async function planWithTenants() {
    const id = await insertTestPlan(t.db, { maxMembers: 10, maxStorageBytes: 10 * 1024 ** 3 })
    const counts = [4, 2, 1]
    for (const [i, n] of counts.entries()) {
      const tenant = await createTenant(t.db, { planId: id })
      for (let k = 1; k < n; k++) await addMembership(t.db, await createUser(t.db), tenant)
      await recordStorage(t.db, tenant.id, (i + 1) * 1024 ** 3)
      await recordApiCalls(t.db, tenant.id, today(), (i + 1) * 1000)
    }
    return id
  }

  it('holds a tighter quota back and shows how many tenants it tightens for and how many are over', async () => {
    const id = await planWithTenants()
    const before = await countRows(t.db, 'audit_log')
    const res = await postForm(
      t.app,
      `/plans/${id}`,
      await editForm(id, { maxMembers: '2' }),
      cookie,
    )
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(alertText(html)).toContain('Not saved yet')
    expect(textOf(html, '#impact-maxMembers')).toBe(
      'Members: 10 → 2 — tightens it for 3 tenants; 1 already over 2.',
    )
    expect(textOf(html, '#plan-form button[type="submit"]')).toBe('Confirm and save')
    expect((await planRow(t.db, id))!.max_members).toBe(10)
    expect(await countRows(t.db, 'audit_log')).toBe(before)
  })

  it('saves the tighter quota once confirmed, auditing only the changed field', async () => {
    const id = await planWithTenants()
    const first = await postForm(
      t.app,
      `/plans/${id}`,
      await editForm(id, { maxMembers: '2' }),
      cookie,
    )
    const confirm = parseHtml(await first.text()).querySelector('[name="confirmImpact"]')!
    const res = await postForm(
      t.app,
      `/plans/${id}`,
      await editForm(id, { maxMembers: '2', confirmImpact: confirm.getAttribute('value')! }),
      cookie,
    )
    expect(res.status).toBe(303)
    expect(await followWithFlash(t.app, res, cookie)).toContain('saved.')
    expect((await planRow(t.db, id))!.max_members).toBe(2)
    const [entry] = (await auditEntries(t.db, 'plan.edit')).filter((e) => e.target_id === id)
    expect(entry.before).toEqual({ maxMembers: 10 })
    expect(entry.after).toEqual({ maxMembers: 2 })
  })

  it('does not take a confirmation of other values: a changed number is shown again', async () => {
    const id = await planWithTenants()
    const first = await postForm(
      t.app,
      `/plans/${id}`,
      await editForm(id, { maxMembers: '3' }),
      cookie,
    )
    const confirm = parseHtml(await first.text()).querySelector('[name="confirmImpact"]')!
    const res = await postForm(
      t.app,
      `/plans/${id}`,
      await editForm(id, { maxMembers: '1', confirmImpact: confirm.getAttribute('value')! }),
      cookie,
    )
    expect(res.status).toBe(200)
    expect(alertText(await res.text())).toContain('Not saved yet')
    expect((await planRow(t.db, id))!.max_members).toBe(10)
  })

  it('previews storage and API impact as a fragment that changes nothing', async () => {
    const id = await planWithTenants()
    const before = await countRows(t.db, 'audit_log')
    const query = new URLSearchParams(
      await editForm(id, {
        maxStorage: '1.5 GB',
        maxApiCallsPerDay: '1500',
        maxCustomDomains: '0',
      }),
    )
    const res = await getPage(t.app, `/plans/${id}/impact?${query}`, cookie, {
      'hx-request': 'true',
    })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(textOf(html, '#impact-maxStorageBytes')).toBe(
      'Storage: Unlimited → 1.5 GB — tightens it for 3 tenants; 2 already over 1.5 GB.'.replace(
        'Unlimited',
        '10 GB',
      ),
    )
    expect(textOf(html, '#impact-maxApiCallsPerDay')).toContain('2 already over 1,500.')
    expect(textOf(html, '#impact-maxCustomDomains')).toContain('no usage is recorded')
    expect(html).toContain('name="confirmImpact"')
    expect(await countRows(t.db, 'audit_log')).toBe(before)
    expect(Number((await planRow(t.db, id))!.max_storage_bytes)).toBe(10 * 1024 ** 3)
  })

  it('saves a looser quota at once', async () => {
    const id = await planWithTenants()
    const res = await postForm(
      t.app,
      `/plans/${id}`,
      await editForm(id, { maxMembers: '' }),
      cookie,
    )
    expect(res.status).toBe(303)
    expect((await planRow(t.db, id))!.max_members).toBeNull()
  })

  it('includes and removes features in the same save, auditing the keys before and after', async () => {
    const id = await insertTestPlan(t.db)
    const a = await createFlag(t.db, { key: `a-${uniqueSuffix()}`, planValues: { [id]: true } })
    const b = await createFlag(t.db, { key: `b-${uniqueSuffix()}` })
    const body = new URLSearchParams(await editForm(id))
    body.append('features', b.id)
    const res = await t.app.request(`/plans/${id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'http://localhost',
        cookie,
      },
      body: body.toString(),
    })
    expect(res.status).toBe(303)
    const rows = await t.db
      .selectFrom('feature_flag_plan_values')
      .select(['flag_id', 'value'])
      .where('plan_id', '=', id)
      .execute()
    expect(rows).toEqual([{ flag_id: b.id, value: true }])
    const [entry] = (await auditEntries(t.db, 'plan.edit')).filter((e) => e.target_id === id)
    expect(entry.before).toEqual({ features: [a.key] })
    expect(entry.after).toEqual({ features: [b.key] })
  })

  it('answers 404 for a plan that does not exist', async () => {
    expect((await getPage(t.app, '/plans/nope', cookie)).status).toBe(404)
    expect((await postForm(t.app, '/plans/nope', planForm(), cookie)).status).toBe(404)
  })
})

describe('archiving and deleting', () => {
  it('archives a plan: its tenants keep it, new tenants and plan changes cannot take it', async () => {
    const id = await insertTestPlan(t.db, { name: 'Legacy' })
    const holder = await createTenant(t.db, { planId: id })
    const res = await postForm(t.app, `/plans/${id}/archive`, {}, cookie)
    expect(res.status).toBe(303)
    expect(await followWithFlash(t.app, res, cookie)).toContain('Plan Legacy archived')
    expect((await planRow(t.db, id))!.archived_at).not.toBeNull()
    const [entry] = (await auditEntries(t.db, 'plan.archive')).filter((e) => e.target_id === id)
    expect(entry.before).toEqual({ archivedAt: null })
    expect(
      (
        await t.db
          .selectFrom('tenants')
          .select('plan_id')
          .where('id', '=', holder.id)
          .executeTakeFirstOrThrow()
      ).plan_id,
    ).toBe(id)

    expect(await (await getPage(t.app, '/tenants/new', cookie)).text()).not.toContain(
      `value="${id}"`,
    )
    expect(await (await getPage(t.app, `/tenants/${holder.id}`, cookie)).text()).toContain('Legacy')
    const tenants = await countRows(t.db, 'tenants')
    const create = await postForm(t.app, '/tenants', { ...newTenantFields({ planId: id }) }, cookie)
    expect(create.status).toBe(422)
    expect(fieldError(await create.text(), 'planId')).toBe('Choose one of the plans.')
    expect(await countRows(t.db, 'tenants')).toBe(tenants)
  })

  it('unarchives a plan (DELETE), audited', async () => {
    const id = await insertTestPlan(t.db, { archived: true })
    const res = await sendForm(t.app, 'DELETE', `/plans/${id}/archive`, {}, cookie)
    expect(res.status).toBe(303)
    expect((await planRow(t.db, id))!.archived_at).toBeNull()
    expect((await auditEntries(t.db, 'plan.unarchive')).some((e) => e.target_id === id)).toBe(true)
  })

  it('refuses to delete a plan a deleted tenant still holds, saying to archive it', async () => {
    const id = await insertTestPlan(t.db)
    const tenant = await createTenant(t.db, { planId: id })
    await deleteTestTenant(t.database, tenant.id)
    const before = await countRows(t.db, 'audit_log')
    const res = await sendForm(t.app, 'DELETE', `/plans/${id}`, {}, cookie)
    expect(res.status).toBe(303)
    const page = await followWithFlash(t.app, res, cookie)
    expect(alertText(page)).toContain(
      '1 tenant (deleted ones included) hold it. Archive it instead',
    )
    expect(await planRow(t.db, id)).toBeDefined()
    expect(await countRows(t.db, 'audit_log')).toBe(before)
  })

  it('deletes a plan no tenant holds, with its plan values, audited', async () => {
    const id = await insertTestPlan(t.db)
    await createFlag(t.db, { planValues: { [id]: true } })
    const res = await sendForm(t.app, 'DELETE', `/plans/${id}`, {}, cookie)
    expect(res.status).toBe(303)
    expect(await planRow(t.db, id)).toBeUndefined()
    const values = await t.db
      .selectFrom('feature_flag_plan_values')
      .select('flag_id')
      .where('plan_id', '=', id)
      .execute()
    expect(values).toEqual([])
    const [entry] = (await auditEntries(t.db, 'plan.delete')).filter((e) => e.target_id === id)
    expect(entry.before).toMatchObject({ id })
  })
})
