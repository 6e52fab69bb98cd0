import { describe, expect, it } from 'vitest'
import { countRows } from '../test-support/database-state.js'
import { createTenant } from '../test-support/factories.js'
import { insertTestPlan, tenantPlanRow } from '../test-support/plan-scenes.js'
import { useTestApp } from '../test-support/test-app.js'
import { deleteTestTenant } from '../test-support/deletion.js'
import { changeTenantPlan, changeTenantPlanIn } from './plan-change.js'

// The one plan-change verb (issue 9 items 1, 2, 4): every plan change writes plan_changed_at
// (seeds/002: billing prorates from it) and one audit entry, or refuses and writes nothing.

const t = useTestApp()
const actor = { id: '00000000-0000-4000-8000-00000000000a', email: 'ops@example.com' }
const T1 = new Date('2026-06-01T10:00:00Z')
const T2 = new Date('2026-06-02T11:30:00Z')

async function planChangeEntries(tenantId: string) {
  return t.db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', 'tenant.plan_change')
    .where('target_id', '=', tenantId)
    .orderBy('seq')
    .execute()
}

describe('changeTenantPlan', () => {
  it('moves the tenant, writes plan_changed_at and audits before/after', async () => {
    const tenant = await createTenant(t.db, { planId: 'free' })
    const result = await changeTenantPlan(t.db, { actor: null }, tenant.id, 'professional', T1)
    expect(result).toMatchObject({
      ok: true,
      before: { planId: 'free', planChangedAt: null },
      after: { planId: 'professional', planChangedAt: T1 },
    })
    expect(await tenantPlanRow(t.db, tenant.id)).toEqual({
      plan_id: 'professional',
      plan_changed_at: T1,
    })
    const [entry] = await planChangeEntries(tenant.id)
    expect(entry).toMatchObject({
      tenant_id: tenant.id,
      target_type: 'tenant',
      before: { planId: 'free', planChangedAt: null },
      after: { planId: 'professional', planChangedAt: T1.toISOString() },
    })
  })

  it('writes plan_changed_at again on every later change, the previous one as before', async () => {
    const tenant = await createTenant(t.db, { planId: 'free' })
    await changeTenantPlan(t.db, { actor: null }, tenant.id, 'professional', T1)
    await changeTenantPlan(t.db, { actor: null }, tenant.id, 'enterprise', T2)
    expect((await tenantPlanRow(t.db, tenant.id)).plan_changed_at).toEqual(T2)
    const entries = await planChangeEntries(tenant.id)
    expect(entries).toHaveLength(2)
    expect(entries[1].before).toEqual({
      planId: 'professional',
      planChangedAt: T1.toISOString(),
    })
  })

  it.each([
    ['an unknown tenant', 'tenant_not_found'],
    ['a deleted tenant', 'tenant_deleted'],
    ['an unknown plan', 'plan_not_found'],
    ['an archived plan', 'plan_archived'],
    ['the plan it is already on', 'unchanged'],
  ])('refuses %s and writes nothing', async (_, reason) => {
    const tenant = await createTenant(t.db, { planId: 'free' })
    let tenantId = tenant.id
    let planId = 'professional'
    if (reason === 'tenant_not_found') tenantId = '00000000-0000-4000-8000-000000000001'
    if (reason === 'tenant_deleted') await deleteTestTenant(t.database, tenant.id)
    if (reason === 'plan_not_found') planId = 'platinum'
    if (reason === 'plan_archived') planId = await insertTestPlan(t.db, { archived: true })
    if (reason === 'unchanged') planId = 'free'
    const audit = await countRows(t.db, 'audit_log')
    const result = await changeTenantPlan(t.db, { actor }, tenantId, planId, T1)
    expect(result).toEqual({ ok: false, reason })
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
    expect(await tenantPlanRow(t.db, tenant.id)).toEqual({ plan_id: 'free', plan_changed_at: null })
  })

  it('puts a tenant back on an archived plan it held when restoring (a rollback), not otherwise', async () => {
    const legacy = await insertTestPlan(t.db, { archived: true })
    const tenant = await createTenant(t.db, { planId: 'free' })
    await t.db.updateTable('tenants').set({ plan_id: legacy }).where('id', '=', tenant.id).execute()
    await changeTenantPlan(t.db, { actor: null }, tenant.id, 'professional', T1)

    expect(await changeTenantPlan(t.db, { actor: null }, tenant.id, legacy, T2)).toEqual({
      ok: false,
      reason: 'plan_archived',
    })
    const restored = await t.db
      .transaction()
      .execute((trx) =>
        changeTenantPlanIn(trx, { actor: null }, tenant.id, legacy, T2, { restoring: true }),
      )
    expect(restored).toMatchObject({ ok: true, after: { planId: legacy } })
    expect((await tenantPlanRow(t.db, tenant.id)).plan_id).toBe(legacy)
  })

  it('ties the entry to a bulk batch and the actor, and rolls back with the caller', async () => {
    const tenant = await createTenant(t.db, { planId: 'free' })
    const batchId = '00000000-0000-4000-8000-0000000000b1'
    await t.db.transaction().execute(async (trx) => {
      const r = await changeTenantPlanIn(trx, { actor, batchId }, tenant.id, 'enterprise', T1)
      expect(r.ok).toBe(true)
    })
    const [entry] = await planChangeEntries(tenant.id)
    expect(entry).toMatchObject({ batch_id: batchId, actor_email: actor.email })

    const other = await createTenant(t.db, { planId: 'free' })
    await expect(
      t.db.transaction().execute(async (trx) => {
        await changeTenantPlanIn(trx, { actor }, other.id, 'enterprise', T1)
        throw new Error('the batch failed later')
      }),
    ).rejects.toThrow('the batch failed later')
    expect((await tenantPlanRow(t.db, other.id)).plan_id).toBe('free')
    expect(await planChangeEntries(other.id)).toEqual([])
  })
})
