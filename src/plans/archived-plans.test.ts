import { describe, expect, it } from 'vitest'
import { countRows } from '../test-support/database-state.js'
import { createTenant, newTenantFields } from '../test-support/factories.js'
import { insertTestPlan, tenantPlanRow } from '../test-support/plan-scenes.js'
import { useTestApp } from '../test-support/test-app.js'
import { editTenant } from '../tenancy/lifecycle.js'
import { createTenantRecord } from '../tenancy/onboarding.js'
import { setPlanArchived } from './plan-lifecycle.js'

// An archived plan keeps its tenants but takes no new ones (issue 9 item 1), whichever way a
// tenant would join it: created on it, or edited onto it.

const t = useTestApp()

describe('archived plans', () => {
  it('refuses to create a tenant on an archived plan, inserting nothing', async () => {
    const planId = await insertTestPlan(t.db, { archived: true })
    const before = await countRows(t.db, 'tenants')
    const result = await createTenantRecord(t.db, { actor: null }, newTenantFields({ planId }))
    expect(result).toEqual({ ok: false, reason: 'plan_unavailable' })
    expect(await countRows(t.db, 'tenants')).toBe(before)
  })

  it('refuses an edit that moves a tenant onto an archived plan, changing nothing', async () => {
    const planId = await insertTestPlan(t.db, { archived: true })
    const tenant = await createTenant(t.db, { planId: 'free' })
    const audit = await countRows(t.db, 'audit_log')
    const edit = { name: 'Renamed', planId, billingEmail: tenant.billingEmail }
    expect(await editTenant(t.db, { actor: null }, tenant.id, edit)).toBeUndefined()
    expect(await tenantPlanRow(t.db, tenant.id)).toEqual({ plan_id: 'free', plan_changed_at: null })
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
  })

  it('lets a tenant already on a plan keep it after the plan is archived, its other fields editable', async () => {
    const planId = await insertTestPlan(t.db)
    const tenant = await createTenant(t.db, { planId })
    expect((await setPlanArchived(t.db, { actor: null }, planId, true)).ok).toBe(true)
    const edit = { name: 'Still here', planId, billingEmail: tenant.billingEmail }
    const updated = await editTenant(t.db, { actor: null }, tenant.id, edit)
    expect(updated).toMatchObject({ name: 'Still here', planId })
  })

  it('refuses to archive twice or unarchive a live plan, writing nothing', async () => {
    const planId = await insertTestPlan(t.db)
    expect(await setPlanArchived(t.db, { actor: null }, planId, false)).toEqual({
      ok: false,
      reason: 'unchanged',
    })
    await setPlanArchived(t.db, { actor: null }, planId, true)
    const audit = await countRows(t.db, 'audit_log')
    expect(await setPlanArchived(t.db, { actor: null }, planId, true)).toEqual({
      ok: false,
      reason: 'unchanged',
    })
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
  })
})
