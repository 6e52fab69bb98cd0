import { beforeAll, describe, expect, it } from 'vitest'
import type { Tenant } from '../db/tenants.js'
import {
  addMembership,
  createAppKey,
  createTenant,
  createUser,
  uniqueSuffix,
} from '../test-support/factories.js'
import { kitCall } from '../test-support/kit-calls.js'
import { insertTestPlan } from '../test-support/plan-scenes.js'
import { postForm } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'
import { editPlan } from './plan-edits.js'

// Seeds/002's quota semantics, end to end: an operator edits a plan on /plans and the tenant app
// feels it through the kit API on its very next call. Tightening below current use blocks new
// additions while existing members keep working; loosening lifts the block at once.

const t = useTestApp()
let token: string
let cookie: string

beforeAll(async () => {
  ;({ token } = await createAppKey(t.db, { name: 'Tenant app' }))
  ;({ cookie } = await t.signedInOwner())
})

const addMember = (tenant: Tenant) =>
  kitCall(t.app, token, 'POST', `/tenants/${tenant.slug}/members`, {
    json: {
      email: `new-${uniqueSuffix()}@example.com`,
      name: 'Newcomer',
      role: 'member',
      actorEmail: tenant.firstAdminEmail,
    },
  })

/** Saves the member quota through the console, confirming the impact when it asks. */
async function setMemberQuota(planId: string, maxMembers: string) {
  const fields = {
    name: 'Quota plan',
    priceMonthly: '10',
    priceYearly: '100',
    currency: 'USD',
    maxMembers,
    maxStorage: '',
    maxCustomDomains: '',
    maxApiCallsPerDay: '',
    isPublic: 'on',
  }
  let res = await postForm(t.app, `/plans/${planId}`, fields, cookie)
  if (res.status === 200) {
    const html = await res.text()
    const signature = /name="confirmImpact" value="([^"]+)"/.exec(html)![1]
    res = await postForm(t.app, `/plans/${planId}`, { ...fields, confirmImpact: signature }, cookie)
  }
  expect(res.status).toBe(303)
}

async function tenantWithMembers(planId: string, members: number) {
  const tenant = await createTenant(t.db, { planId })
  const others = []
  for (let k = 1; k < members; k++) {
    const user = await createUser(t.db)
    await addMembership(t.db, user, tenant)
    others.push(user)
  }
  return { tenant, others }
}

describe('member quota changes as the tenant app sees them', () => {
  it('tightening below current use refuses the next addition with quota_exceeded, existing members keep working', async () => {
    const planId = await insertTestPlan(t.db, { maxMembers: 10 })
    const { tenant, others } = await tenantWithMembers(planId, 3)
    await setMemberQuota(planId, '2')

    const added = await addMember(tenant)
    expect(added.status).toBe(422)
    expect(await added.json()).toMatchObject({
      code: 'quota_exceeded',
      quota: 'members',
      limit: 2,
      current: 3,
    })
    const existing = await kitCall(
      t.app,
      token,
      'GET',
      `/tenants/${tenant.slug}/members/${others[0].id}`,
    )
    expect(existing.status).toBe(200)
    expect((await existing.json()).member.status).toBe('active')
    const snapshot = await kitCall(t.app, token, 'GET', `/tenants/${tenant.slug}`)
    expect((await snapshot.json()).tenant.quotas.members).toBe(2)
    const memberships = await t.db
      .selectFrom('memberships')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenant.id)
      .executeTakeFirstOrThrow()
    expect(Number(memberships.n)).toBe(3)
  })

  it('loosening takes effect on the very next call', async () => {
    const planId = await insertTestPlan(t.db, { maxMembers: 2 })
    const { tenant } = await tenantWithMembers(planId, 2)
    expect((await addMember(tenant)).status).toBe(422)

    await setMemberQuota(planId, '3')
    const added = await addMember(tenant)
    expect(added.status).toBe(201)
    expect((await addMember(tenant)).status).toBe(422)

    await setMemberQuota(planId, '')
    expect((await addMember(tenant)).status).toBe(201)
  })

  it('editPlan alone (no console) is enough: the kit reads quotas per request, not from a cache', async () => {
    const planId = await insertTestPlan(t.db, { maxMembers: 1 })
    const { tenant } = await tenantWithMembers(planId, 1)
    expect((await addMember(tenant)).status).toBe(422)
    const plan = await t.db
      .selectFrom('plans')
      .selectAll()
      .where('id', '=', planId)
      .executeTakeFirstOrThrow()
    const result = await editPlan(t.db, { actor: null }, planId, {
      name: plan.name,
      priceCentsMonthly: plan.price_cents_monthly,
      priceCentsYearly: plan.price_cents_yearly,
      currency: plan.currency,
      maxMembers: 5,
      maxStorageBytes: null,
      maxCustomDomains: null,
      maxApiCallsPerDay: null,
      isPublic: true,
      featureIds: [],
    })
    expect(result).toMatchObject({ ok: true, changed: true })
    expect((await addMember(tenant)).status).toBe(201)
  })
})
