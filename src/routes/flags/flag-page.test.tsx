import { beforeAll, describe, expect, it } from 'vitest'
import { createSession } from '../../auth/session.js'
import { findFlagByKey, findTenantOverrides } from '../../db/flags.js'
import type { OperatorRole } from '../../db/schema.js'
import { insertTenant, type Tenant } from '../../db/tenants.js'
import { rolloutBucket } from '../../flags/resolve.js'
import { auditEntries, countRows } from '../../test-support/database-state.js'
import { createFlag, createSuperAdmin, uniqueSuffix } from '../../test-support/factories.js'
import { fieldError, tableRows, textOf } from '../../test-support/html.js'
import { getPage, postForm, sendForm, SESSION_COOKIE } from '../../test-support/requests.js'
import { useTestApp } from '../../test-support/test-app.js'

const t = useTestApp()
let cookie: string
const tenants: Tenant[] = []
const PLANS = ['free', 'professional', 'enterprise']

beforeAll(async () => {
  ;({ cookie } = await t.signedInOwner())
  // Rows inserted directly: the flag page reads `tenants` only, no schema is needed.
  for (let i = 0; i < 60; i++) {
    const suffix = uniqueSuffix()
    tenants.push(
      (await insertTenant(t.db, {
        id: crypto.randomUUID(),
        slug: `fp-${String(i).padStart(2, '0')}-${suffix}`,
        name: `Flag Page ${i}`,
        status: 'active',
        planId: PLANS[i % 3],
        billingEmail: `b-${suffix}@example.com`,
        firstAdminEmail: `a-${suffix}@example.com`,
        firstAdminName: 'A',
        createdAt: new Date(),
      }))!,
    )
  }
})

async function cookieOf(role: OperatorRole): Promise<string> {
  const who = await createSuperAdmin(t.db, t.config, { role })
  const { token } = await createSession(
    t.db,
    who.admin.id,
    { twoFactorVerified: true },
    new Date(t.clock.now()),
  )
  return `${SESSION_COOKIE}=${token}`
}

const auditOf = async (action: string, key: string) =>
  (await auditEntries(t.db, action)).filter((e) => e.target_id === key)

/** The resolved table's rows of the flag page at `query`, under htmx (the fragment). */
async function resolved(key: string, query = '') {
  const res = await getPage(t.app, `/flags/${key}${query}`, cookie, { 'hx-request': 'true' })
  expect(res.status).toBe(200)
  const html = await res.text()
  return { rows: tableRows(html, '#flag-tenants table'), total: textOf(html, '#flag-tenants p') }
}

describe('the flag page', () => {
  it('shows every tenant’s value and why, 50 a page, computed as resolveFlag does', async () => {
    const flag = await createFlag(t.db, {
      planValues: { enterprise: true },
      rolloutPercentage: 50,
      rolloutValue: true,
      rolloutPlanIds: ['professional'],
      overrides: { [tenants[0].id]: true },
    })
    const first = await resolved(flag.key, '?q=fp-')
    expect(first.rows).toHaveLength(50)
    expect(first.total).toBe('60 tenants')
    const row0 = first.rows.find((r) => r.Tenant === tenants[0].slug)!
    expect(row0).toMatchObject({ Value: 'On', Why: 'Override for this tenant' })
    const enterprise = first.rows.find((r) => r.Tenant === tenants[2].slug)!
    expect(enterprise).toMatchObject({
      Plan: 'Enterprise',
      Value: 'On',
      Why: 'Value of the Enterprise plan',
    })
    const second = await resolved(flag.key, '?q=fp-&page=2')
    expect(second.rows).toHaveLength(10)
    const pro = tenants.filter((x, i) => i % 3 === 1 && i !== 0)
    const inRollout = pro.filter((x) => rolloutBucket(flag.key, x.id) < 5000)
    const rollout = await resolved(flag.key, '?q=fp-&why=rollout')
    expect(rollout.rows.map((r) => r.Tenant).sort()).toEqual(inRollout.map((x) => x.slug).sort())
    for (const r of rollout.rows)
      expect(r).toMatchObject({ Value: 'On', Why: 'In the 50 % rollout' })
  })

  it('filters the resolved table by value, plan and search', async () => {
    const flag = await createFlag(t.db, { planValues: { free: true } })
    const on = await resolved(flag.key, '?q=fp-&value=on')
    expect(on.total).toBe('20 tenants')
    expect(new Set(on.rows.map((r) => r.Plan))).toEqual(new Set(['Free']))
    const proOff = await resolved(flag.key, '?q=fp-&plan=professional&value=off')
    expect(proOff.total).toBe('20 tenants')
    const one = await resolved(flag.key, `?q=${tenants[7].slug}`)
    expect(one.rows.map((r) => r.Tenant)).toEqual([tenants[7].slug])
    const archived = await createFlag(t.db, { archived: true, planValues: { free: true } })
    const all = await resolved(archived.key, '?q=fp-&why=archived')
    expect(all.total).toBe('60 tenants')
  })

  it('sets an override from Tenant + Value, audited, and removes it again', async () => {
    const flag = await createFlag(t.db)
    const target = tenants[5]
    const res = await postForm(
      t.app,
      `/flags/${flag.key}/overrides`,
      { tenant: target.slug, value: 'on' },
      cookie,
    )
    expect(res.status).toBe(303)
    expect((await findTenantOverrides(t.db, target.id)).get(flag.id)).toBe(true)
    expect(await auditOf('flag.override.set', flag.key)).toHaveLength(1)
    const page = await (await getPage(t.app, `/flags/${flag.key}`, cookie)).text()
    expect(tableRows(page, '#overrides table')[0]).toMatchObject({
      Tenant: target.slug,
      Value: 'On',
    })
    const removed = await sendForm(
      t.app,
      'DELETE',
      `/flags/${flag.key}/overrides/${target.id}`,
      {},
      cookie,
    )
    expect(removed.status).toBe(303)
    expect((await findTenantOverrides(t.db, target.id)).get(flag.id)).toBeUndefined()
    expect(await auditOf('flag.override.remove', flag.key)).toHaveLength(1)
  })

  it('refuses an override for an unknown slug or of an archived flag, next to the field', async () => {
    const flag = await createFlag(t.db)
    const audit = await countRows(t.db, 'audit_log')
    const unknown = await postForm(
      t.app,
      `/flags/${flag.key}/overrides`,
      { tenant: 'nobody-here', value: 'on' },
      cookie,
    )
    expect(unknown.status).toBe(422)
    expect(fieldError(await unknown.text(), 'tenant')).toBe('No tenant with the slug nobody-here.')
    const archived = await createFlag(t.db, { archived: true })
    const refused = await postForm(
      t.app,
      `/flags/${archived.key}/overrides`,
      { tenant: tenants[1].slug, value: 'on' },
      cookie,
    )
    expect(refused.status).toBe(422)
    expect(await refused.text()).toContain(
      'An archived flag cannot be overridden; unarchive it first.',
    )
    expect((await findTenantOverrides(t.db, tenants[1].id)).get(archived.id)).toBeUndefined()
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
  })

  it('saves a rollout, audited before/after, and refuses one out of bounds', async () => {
    const flag = await createFlag(t.db)
    const body = new URLSearchParams({ percentage: '10', value: 'on' })
    body.append('planIds', 'professional')
    const res = await t.app.request(`/flags/${flag.key}/rollout`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'http://localhost',
        cookie,
      },
      body: body.toString(),
    })
    expect(res.status).toBe(303)
    expect(await findFlagByKey(t.db, flag.key)).toMatchObject({
      rolloutPercentage: 10,
      rolloutPlanIds: ['professional'],
      rolloutValue: true,
    })
    const [entry] = await auditOf('flag.rollout', flag.key)
    expect(entry.before).toEqual({ percentage: 0, planIds: [], value: null })
    expect(entry.after).toEqual({ percentage: 10, planIds: ['professional'], value: true })
    for (const percentage of ['101', '-1', '2.5', 'ten']) {
      const bad = await postForm(
        t.app,
        `/flags/${flag.key}/rollout`,
        { percentage, value: 'on' },
        cookie,
      )
      expect(bad.status, percentage).toBe(422)
      expect(fieldError(await bad.text(), 'percentage')).toBe('Enter a whole number from 0 to 100.')
    }
    expect((await findFlagByKey(t.db, flag.key))?.rolloutPercentage).toBe(10)
    expect(await auditOf('flag.rollout', flag.key)).toHaveLength(1)
  })

  it('saves plan values, with "No plan value" removing one', async () => {
    const flag = await createFlag(t.db, { planValues: { free: true } })
    const res = await postForm(
      t.app,
      `/flags/${flag.key}/plan-values`,
      { 'plan-free': '', 'plan-professional': 'on', 'plan-enterprise': 'off' },
      cookie,
    )
    expect(res.status).toBe(303)
    expect((await findFlagByKey(t.db, flag.key))?.planValues).toEqual({
      professional: true,
      enterprise: false,
    })
    const [entry] = await auditOf('flag.plan_values', flag.key)
    expect(entry.before).toEqual({ planValues: { free: true } })
    expect(entry.after).toEqual({ planValues: { professional: true, enterprise: false } })
  })

  it('refuses to remove a variant still used by an override, a plan value or the rollout', async () => {
    const flag = await createFlag(t.db, {
      type: 'string',
      variants: ['a', 'b', 'c', 'd'],
      defaultValue: 'a',
      planValues: { free: 'c' },
      rolloutPercentage: 5,
      rolloutValue: 'd',
      overrides: { [tenants[3].id]: 'b' },
    })
    const res = await postForm(
      t.app,
      `/flags/${flag.key}`,
      { description: '', variants: 'a', defaultValue: 'a' },
      cookie,
    )
    expect(res.status).toBe(422)
    expect(fieldError(await res.text(), 'variants')).toBe(
      'Still used, so it cannot be removed: b (by override); c (by plan value); d (by rollout).',
    )
    expect((await findFlagByKey(t.db, flag.key))?.variants).toEqual(['a', 'b', 'c', 'd'])
    const ok = await postForm(
      t.app,
      `/flags/${flag.key}`,
      { description: 'Layouts', variants: 'a, b, c, d, e', defaultValue: 'e' },
      cookie,
    )
    expect(ok.status).toBe(303)
    expect(await findFlagByKey(t.db, flag.key)).toMatchObject({
      description: 'Layouts',
      defaultValue: 'e',
    })
    const [entry] = await auditOf('flag.edit', flag.key)
    expect(entry.before).toEqual({
      description: '',
      defaultValue: 'a',
      variants: ['a', 'b', 'c', 'd'],
    })
    expect(entry.after).toEqual({
      description: 'Layouts',
      defaultValue: 'e',
      variants: ['a', 'b', 'c', 'd', 'e'],
    })
  })

  it('archives a flag (every tenant gets the default) and unarchives it, both audited', async () => {
    const flag = await createFlag(t.db, {
      planValues: { free: true, professional: true, enterprise: true },
    })
    const res = await postForm(t.app, `/flags/${flag.key}/archive`, {}, cookie)
    expect(res.status).toBe(303)
    expect((await findFlagByKey(t.db, flag.key))?.archived).toBe(true)
    const off = await resolved(flag.key, '?q=fp-&value=off')
    expect(off.total).toBe('60 tenants')
    const back = await sendForm(t.app, 'DELETE', `/flags/${flag.key}/archive`, {}, cookie)
    expect(back.status).toBe(303)
    expect((await findFlagByKey(t.db, flag.key))?.archived).toBe(false)
    expect((await auditOf('flag.archive', flag.key))[0].after).toMatchObject({
      archivedAt: expect.any(String),
    })
    expect((await auditOf('flag.unarchive', flag.key))[0].after).toEqual({ archivedAt: null })
  })

  it('shows an operator the flag without any form, and refuses their changes', async () => {
    const flag = await createFlag(t.db)
    const who = await cookieOf('operator')
    const html = await (await getPage(t.app, `/flags/${flag.key}`, who)).text()
    expect(textOf(html, 'h1')).toBe(flag.key)
    for (const label of ['Save rollout', 'Save plan values', 'Set override', 'Archive flag'])
      expect(html).not.toContain(label)
    const res = await postForm(
      t.app,
      `/flags/${flag.key}/rollout`,
      { percentage: '50', value: 'on' },
      who,
    )
    expect(res.status).toBe(403)
    expect((await findFlagByKey(t.db, flag.key))?.rolloutPercentage).toBe(0)
  })

  it('answers 404 for a flag that does not exist', async () => {
    expect((await getPage(t.app, '/flags/no-such-flag', cookie)).status).toBe(404)
    expect((await getPage(t.app, '/flags/NOT%20A%20KEY', cookie)).status).toBe(404)
  })
})
