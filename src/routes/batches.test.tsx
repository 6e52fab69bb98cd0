import { beforeAll, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../db/audit-log.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import {
  createFlag,
  createSuperAdmin,
  createTenant,
  uniqueSuffix,
  type TestAdmin,
} from '../test-support/factories.js'
import { alertText, fieldError, textOf } from '../test-support/html.js'
import { getPage, postForm, signIn } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'
import { changeTenantPlan } from '../tenancy/plan-change.js'

// Bulk changes by filter at the route level (issue 9 item 4): the preview writes nothing, the
// apply re-evaluates the filter and refuses a drift, the batch records every tenant, the
// rollback skips tenants changed since, suspending needs step-up, and viewers and support see
// and reach nothing.

const t = useTestApp()
let cookie: string
let owner: TestAdmin

beforeAll(async () => {
  ;({ owner, cookie } = await t.signedInOwner())
})

/** `n` Free tenants whose names share a fresh marker, so a search finds exactly them. */
async function freeTenants(n: number, marker = `bulk${uniqueSuffix()}`) {
  const tenants = []
  for (let i = 0; i < n; i++) tenants.push(await createTenant(t.db, { name: `${marker} ${i}` }))
  return { marker, tenants }
}

async function countBatches() {
  return (await t.db.selectFrom('bulk_batches').select('id').execute()).length
}

async function html(path: string, who = cookie) {
  const res = await getPage(t.app, path, who)
  return { status: res.status, body: await res.text() }
}

async function plansOf(ids: string[]) {
  const rows = await t.db
    .selectFrom('tenants')
    .select(['id', 'plan_id'])
    .where('id', 'in', ids)
    .execute()
  return Object.fromEntries(rows.map((r) => [r.id, r.plan_id]))
}

function applyFields(marker: string, previewed: number, extra: Record<string, string> = {}) {
  return {
    q: marker,
    status: 'active',
    plan: 'free',
    kind: 'plan_change',
    to_plan: 'professional',
    previewed_count: String(previewed),
    accepted_drift: '0',
    ...extra,
  }
}

async function batchIdFrom(res: Response): Promise<string> {
  expect(res.status).toBe(303)
  const location = res.headers.get('location') ?? ''
  expect(location).toMatch(/^\/batches\/[0-9a-f-]{36}$/)
  return location.split('/')[2]
}

describe('the preview', () => {
  it('counts the matches and says before → after per tenant, marking the unchanged, and writes nothing', async () => {
    const { marker, tenants } = await freeTenants(2)
    const pro = await createTenant(t.db, { name: `${marker} pro`, planId: 'professional' })
    const before = { audit: await countRows(t.db, 'audit_log'), batches: await countBatches() }

    const page = await html(`/batches/new?q=${marker}&kind=plan_change&to_plan=professional`)

    expect(page.status).toBe(200)
    expect(textOf(page.body, '#batch-preview h2')).toBe('Preview: 3 tenants match')
    expect(textOf(page.body, `#preview-${tenants[0].id}`)).toContain('Free → Professional')
    expect(textOf(page.body, `#preview-${pro.id}`)).toContain('Professional (unchanged)')
    expect(textOf(page.body, '#filter-words')).toContain(`matching “${marker}”`)
    expect(page.body).toContain('Apply to 3 tenants')
    expect(await countRows(t.db, 'audit_log')).toBe(before.audit)
    expect(await countBatches()).toBe(before.batches)
    expect(Object.values(await plansOf(tenants.map((x) => x.id)))).toEqual(['free', 'free'])
  })

  it('an archived plan is refused next to its field with 422', async () => {
    await t.db
      .insertInto('plans')
      .values({
        id: `old${uniqueSuffix()}`.slice(0, 20),
        name: 'Old',
        price_cents_monthly: 0,
        sort_order: 9,
        archived_at: new Date(),
      } as never)
      .execute()
      .catch(() => undefined)
    const archived = await t.db
      .selectFrom('plans')
      .select('id')
      .where('archived_at', 'is not', null)
      .executeTakeFirst()
    if (!archived) return expect.unreachable('an archived plan could not be made')
    const page = await html(`/batches/new?kind=plan_change&to_plan=${archived.id}`)
    expect(page.status).toBe(422)
    expect(fieldError(page.body, 'to_plan')).toContain('archived')
  })

  it('a request without a kind is malformed (400), not a 500', async () => {
    expect((await html('/batches/new?q=x')).status).toBe(400)
    expect((await html('/batches/new?kind=explode')).status).toBe(400)
  })
})

describe('applying a plan change', () => {
  it('changes every matching tenant in one batch, one audit entry per changed tenant with the batch id', async () => {
    const { marker, tenants } = await freeTenants(3)
    const ids = tenants.map((x) => x.id)

    const id = await batchIdFrom(await postForm(t.app, '/batches', applyFields(marker, 3), cookie))

    expect(Object.values(await plansOf(ids))).toEqual([
      'professional',
      'professional',
      'professional',
    ])
    const batch = await t.db
      .selectFrom('bulk_batches')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(batch).toMatchObject({ status: 'applied', kind: 'plan_change', matched_count: 3 })
    expect(batch.params).toEqual({ planId: 'professional' })
    const items = await t.db
      .selectFrom('bulk_batch_items')
      .selectAll()
      .where('batch_id', '=', id)
      .execute()
    expect(items.map((i) => i.outcome)).toEqual(['applied', 'applied', 'applied'])
    expect(items[0].before).toMatchObject({ planId: 'free' })
    const changes = (await auditEntries(t.db, 'tenant.plan_change')).filter(
      (e) => e.batch_id === id,
    )
    expect(changes.map((e) => e.tenant_id).sort()).toEqual([...ids].sort())
    expect(changes[0].actor_id).toBe(owner.admin.id)
    const applied = (await auditEntries(t.db, 'batch.apply')).filter((e) => e.target_id === id)
    expect(applied).toHaveLength(1)
    expect(applied[0].after).toMatchObject({ applied: 3, unchanged: 0, matchedCount: 3 })
    expect((await verifyAuditChain(t.db)).ok).toBe(true)

    const page = await html(`/batches/${id}`)
    expect(textOf(page.body, `#item-${ids[0]}`)).toMatch(/Free\s*Professional\s*applied/)
    expect(page.body).toContain(`href="/audit?batch=${id}"`)
    expect((await html('/batches')).body).toContain(`/batches/${id}`)
  })

  it('refuses with 422 when the count moved more than accepted, and writes nothing', async () => {
    const { marker, tenants } = await freeTenants(2)
    await createTenant(t.db, { name: `${marker} late` })
    const before = {
      audit: await countRows(t.db, 'audit_log'),
      batches: (await t.db.selectFrom('bulk_batches').select('id').execute()).length,
    }

    const res = await postForm(t.app, '/batches', applyFields(marker, 2), cookie)

    expect(res.status).toBe(422)
    const body = await res.text()
    expect(alertText(body)).toContain('the count moved from 2 to 3 tenants')
    expect(await countRows(t.db, 'audit_log')).toBe(before.audit)
    expect((await t.db.selectFrom('bulk_batches').select('id').execute()).length).toBe(
      before.batches,
    )
    expect(Object.values(await plansOf(tenants.map((x) => x.id)))).toEqual(['free', 'free'])
    // The page shows the new preview, so Apply now carries the new count.
    expect(body).toContain('Apply to 3 tenants')
  })

  it('applies when the drift is within what was accepted', async () => {
    const { marker } = await freeTenants(2)
    await createTenant(t.db, { name: `${marker} late` })
    const res = await postForm(
      t.app,
      '/batches',
      applyFields(marker, 2, { accepted_drift: '1' }),
      cookie,
    )
    const id = await batchIdFrom(res)
    const batch = await t.db
      .selectFrom('bulk_batches')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(batch).toMatchObject({ previewed_count: 2, matched_count: 3, accepted_drift: 1 })
  })

  it('a drift that is not a whole number is a 422 next to its field, nothing written', async () => {
    const { marker, tenants } = await freeTenants(1)
    const res = await postForm(
      t.app,
      '/batches',
      applyFields(marker, 1, { accepted_drift: '-3' }),
      cookie,
    )
    expect(res.status).toBe(422)
    expect(fieldError(await res.text(), 'accepted_drift')).toContain('whole number')
    expect(Object.values(await plansOf([tenants[0].id]))).toEqual(['free'])
  })

  it('a previewed count that is not a number is malformed (400)', async () => {
    const res = await postForm(
      t.app,
      '/batches',
      applyFields('x', 1, { previewed_count: 'lots' }),
      cookie,
    )
    expect(res.status).toBe(400)
  })
})

describe('rolling a batch back', () => {
  it('restores the tenants nobody changed since, skips the one changed since, and refuses a second rollback', async () => {
    const { marker, tenants } = await freeTenants(3)
    const ids = tenants.map((x) => x.id)
    const id = await batchIdFrom(await postForm(t.app, '/batches', applyFields(marker, 3), cookie))
    t.clock.advance(1000)
    const other = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    await changeTenantPlan(
      t.db,
      { actor: { id: other.admin.id, email: other.admin.email } },
      ids[1],
      'enterprise',
      new Date(t.clock.now()),
    )

    const res = await postForm(t.app, `/batches/${id}/rollback`, {}, cookie)

    expect(res.status).toBe(303)
    expect(await plansOf(ids)).toEqual({
      [ids[0]]: 'free',
      [ids[1]]: 'enterprise',
      [ids[2]]: 'free',
    })
    const items = await t.db
      .selectFrom('bulk_batch_items')
      .selectAll()
      .where('batch_id', '=', id)
      .execute()
    const byTenant = Object.fromEntries(items.map((i) => [i.tenant_id, i]))
    expect(byTenant[ids[0]].rollback_outcome).toBe('restored')
    expect(byTenant[ids[1]].rollback_outcome).toBe('skipped')
    expect(byTenant[ids[1]].rollback_note).toContain(`changed since by ${other.admin.email}`)
    const batch = await t.db
      .selectFrom('bulk_batches')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(batch).toMatchObject({ status: 'rolled_back', rolled_back_by: owner.admin.id })
    const [rollback] = (await auditEntries(t.db, 'batch.rollback')).filter(
      (e) => e.target_id === id,
    )
    expect(rollback.batch_id).not.toBe(id)
    const restored = (await auditEntries(t.db, 'tenant.plan_change')).filter(
      (e) => e.batch_id === rollback.batch_id,
    )
    expect(restored.map((e) => e.tenant_id).sort()).toEqual([ids[0], ids[2]].sort())
    expect((await html(`/batches/${id}`)).body).toContain(`/audit?batch=${rollback.batch_id}`)

    const audit = await countRows(t.db, 'audit_log')
    const again = await postForm(t.app, `/batches/${id}/rollback`, {}, cookie)
    expect(again.status).toBe(409)
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
  })
})

describe('flag overrides in bulk', () => {
  it('sets an override on the matching tenants and the rollback clears it again', async () => {
    const { marker, tenants } = await freeTenants(2)
    const flag = await createFlag(t.db)
    const preview = await html(
      `/batches/new?q=${marker}&kind=flag_override&set_flag=${flag.key}&set_value=on`,
    )
    expect(textOf(preview.body, `#preview-${tenants[0].id}`)).toContain(
      'off (default) → on (override)',
    )

    const id = await batchIdFrom(
      await postForm(
        t.app,
        '/batches',
        {
          q: marker,
          kind: 'flag_override',
          set_flag: flag.key,
          set_value: 'on',
          previewed_count: '2',
        },
        cookie,
      ),
    )
    const overrides = () =>
      t.db.selectFrom('feature_flag_overrides').selectAll().where('flag_id', '=', flag.id).execute()
    expect((await overrides()).map((o) => o.value)).toEqual([true, true])
    expect(
      (await auditEntries(t.db, 'flag.override.set')).filter((e) => e.batch_id === id),
    ).toHaveLength(2)

    // The flag-state filter of the tenants list sees the override.
    const list = await html(`/tenants?q=${marker}&flag=${flag.key}&flag_state=on`)
    expect(list.body).toContain('2 tenants')
    const none = await html(`/tenants?q=${marker}&flag=${flag.key}&flag_state=off`)
    expect(none.body).toContain('0 tenants')

    expect((await postForm(t.app, `/batches/${id}/rollback`, {}, cookie)).status).toBe(303)
    expect(await overrides()).toEqual([])
  })

  it('an archived flag cannot be chosen (422 next to the field)', async () => {
    const flag = await createFlag(t.db, { archived: true })
    const page = await html(`/batches/new?kind=flag_override&set_flag=${flag.key}&set_value=on`)
    expect(page.status).toBe(422)
    expect(fieldError(page.body, 'set_flag')).toContain('archived')
  })
})

describe('batch addresses', () => {
  it('answers 404, never 500, for an id shaped like a uuid that is not one', async () => {
    for (const id of ['a'.repeat(36), '-'.repeat(36)]) {
      expect((await html(`/batches/${id}`)).status).toBe(404)
      expect((await postForm(t.app, `/batches/${id}/rollback`, {}, cookie)).status).toBe(404)
    }
  })
})

describe('suspending in bulk', () => {
  it('needs a fresh step-up: an older TOTP check goes to /step-up and suspends nobody', async () => {
    const admin = await createSuperAdmin(t.db, t.config, { role: 'operator' })
    const operatorCookie = await signIn(t.app, admin, t.clock)
    const { marker, tenants } = await freeTenants(2)
    t.clock.advance(11 * 60_000)
    const fields = { q: marker, kind: 'suspend', previewed_count: '2' }

    const late = await postForm(t.app, '/batches', fields, operatorCookie, {
      referer: `http://localhost/batches/new?q=${marker}&kind=suspend`,
    })
    expect(late.status).toBe(303)
    expect(late.headers.get('location')).toMatch(/^\/step-up/)
    const statuses = () =>
      t.db
        .selectFrom('tenants')
        .select('status')
        .where(
          'id',
          'in',
          tenants.map((x) => x.id),
        )
        .execute()
    expect((await statuses()).map((r) => r.status)).toEqual(['active', 'active'])

    const fresh = await signIn(t.app, admin, t.clock)
    const id = await batchIdFrom(await postForm(t.app, '/batches', fields, fresh))
    expect((await statuses()).map((r) => r.status)).toEqual(['suspended', 'suspended'])
    expect(
      (await auditEntries(t.db, 'tenant.suspend')).filter((e) => e.batch_id === id),
    ).toHaveLength(2)
  })

  it('rolling back an activate batch suspends in bulk, so it needs a fresh step-up too', async () => {
    const admin = await createSuperAdmin(t.db, t.config, { role: 'operator' })
    const { marker, tenants } = await freeTenants(2)
    for (const tenant of tenants)
      await t.db
        .updateTable('tenants')
        .set({ status: 'suspended', suspended_at: new Date() })
        .where('id', '=', tenant.id)
        .execute()
    const fields = { q: marker, status: 'suspended', kind: 'activate', previewed_count: '2' }
    const id = await batchIdFrom(
      await postForm(t.app, '/batches', fields, await signIn(t.app, admin, t.clock)),
    )
    const statuses = async () =>
      (
        await t.db
          .selectFrom('tenants')
          .select('status')
          .where(
            'id',
            'in',
            tenants.map((x) => x.id),
          )
          .execute()
      ).map((r) => r.status)
    expect(await statuses()).toEqual(['active', 'active'])

    const stale = await signIn(t.app, admin, t.clock)
    t.clock.advance(11 * 60_000)
    const late = await postForm(t.app, `/batches/${id}/rollback`, {}, stale)
    expect(late.status).toBe(303)
    expect(late.headers.get('location')).toMatch(/^\/step-up/)
    expect(await statuses()).toEqual(['active', 'active'])

    const fresh = await signIn(t.app, admin, t.clock)
    expect((await postForm(t.app, `/batches/${id}/rollback`, {}, fresh)).status).toBe(303)
    expect(await statuses()).toEqual(['suspended', 'suspended'])
  })

  it('an operator may suspend but not change plans (403, nothing written)', async () => {
    const admin = await createSuperAdmin(t.db, t.config, { role: 'operator' })
    const operatorCookie = await signIn(t.app, admin, t.clock)
    const { marker, tenants } = await freeTenants(1)
    expect((await html(`/batches/new?q=${marker}&kind=plan_change`, operatorCookie)).status).toBe(
      403,
    )
    const res = await postForm(t.app, '/batches', applyFields(marker, 1), operatorCookie)
    expect(res.status).toBe(403)
    expect(Object.values(await plansOf([tenants[0].id]))).toEqual(['free'])
    const list = await html(`/tenants?q=${marker}`, operatorCookie)
    expect(list.body).toContain('Change…')
    expect(list.body).not.toContain('value="plan_change"')
  })
})

describe('viewers and support', () => {
  for (const role of ['viewer', 'support'] as const) {
    it(`a ${role} sees no bulk controls and gets 403 on every bulk change route`, async () => {
      const who = await createSuperAdmin(t.db, t.config, { role })
      const theirs = await signIn(t.app, who, t.clock)
      const { marker } = await freeTenants(1)
      const list = await html(`/tenants?q=${marker}`, theirs)
      expect(list.status).toBe(200)
      expect(list.body).not.toContain('Change…')
      expect(list.body).not.toContain('/batches/new')
      expect((await html(`/batches/new?q=${marker}&kind=suspend`, theirs)).status).toBe(403)
      const audit = await countRows(t.db, 'audit_log')
      expect(
        (await postForm(t.app, '/batches', { kind: 'suspend', previewed_count: '1' }, theirs))
          .status,
      ).toBe(403)
      expect(await countRows(t.db, 'audit_log')).toBe(audit)
      expect((await html('/batches', theirs)).status).toBe(200)
    })
  }
})

describe('the audit page filtered by batch', () => {
  it('shows only the entries of that batch as a chip; a batch id that is not one is said and ignored', async () => {
    const { marker, tenants } = await freeTenants(2)
    const id = await batchIdFrom(await postForm(t.app, '/batches', applyFields(marker, 2), cookie))

    const page = await html(`/audit?batch=${id}`)
    expect(page.status).toBe(200)
    const rows = page.body.match(/data-seq="/g) ?? []
    expect(page.body).toContain(`Batch <span class="font-mono">${id.slice(0, 8)}</span>`)
    expect(page.body).toContain('batch.apply')
    for (const x of tenants) expect(page.body).toContain(x.slug)
    // Two plan changes and batch.apply; nothing else of the log.
    expect(rows).toHaveLength(3)

    const bad = await html('/audit?batch=not-a-batch')
    expect(bad.status).toBe(200)
    expect(alertText(bad.body)).toContain('is not a batch id')
  })
})
