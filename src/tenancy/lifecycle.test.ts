import { describe, expect, it } from 'vitest'
import type { Tenant } from '../db/tenants.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import { createTenant } from '../test-support/factories.js'
import { changeTenantStatus, editTenant } from './lifecycle.js'
import { deleteTestTenant } from '../test-support/deletion.js'
import { useTestDatabase } from '../test-support/test-app.js'

const t = useTestDatabase()

const actor = { id: crypto.randomUUID(), email: 'ops@example.com' }
const context = { actor, requestId: 'req-lifecycle' }
const T1 = new Date('2026-04-01T10:00:00.000Z')

function findTenantRow(id: string) {
  return t.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

function editOf(tenant: Tenant) {
  return { name: tenant.name, planId: tenant.planId, billingEmail: tenant.billingEmail }
}

describe('editTenant', () => {
  it('audits only the fields that changed, with before and after', async () => {
    const tenant = await createTenant(t.db, { planId: 'free' })

    const updated = await editTenant(
      t.db,
      context,
      tenant.id,
      { ...editOf(tenant), billingEmail: 'new-billing@example.com' },
      T1,
    )

    expect(updated).toMatchObject({
      billingEmail: 'new-billing@example.com',
      planChangedAt: null,
      updatedAt: T1,
    })
    expect((await auditEntries(t.db, 'tenant.edit')).at(-1)).toMatchObject({
      tenant_id: tenant.id,
      actor_id: actor.id,
      actor_email: actor.email,
      request_id: 'req-lifecycle',
      before: { billingEmail: tenant.billingEmail },
      after: { billingEmail: 'new-billing@example.com' },
    })
  })

  it('a plan change sets plan_changed_at to the time of the change', async () => {
    const tenant = await createTenant(t.db, { planId: 'free' })

    await editTenant(
      t.db,
      context,
      tenant.id,
      { ...editOf(tenant), planId: 'enterprise', name: 'Bigger' },
      T1,
    )

    expect(await findTenantRow(tenant.id)).toMatchObject({
      plan_id: 'enterprise',
      name: 'Bigger',
      plan_changed_at: T1,
    })
    expect((await auditEntries(t.db, 'tenant.edit')).at(-1)).toMatchObject({
      before: { planId: 'free', name: tenant.name },
      after: { planId: 'enterprise', name: 'Bigger' },
    })
  })

  it('an edit that changes nothing writes nothing and returns the tenant as it was', async () => {
    const tenant = await createTenant(t.db)
    const audit = await countRows(t.db, 'audit_log')

    const result = await editTenant(t.db, context, tenant.id, editOf(tenant), T1)

    expect(result).toEqual(tenant)
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
    expect((await findTenantRow(tenant.id)).updated_at).toEqual(tenant.updatedAt)
  })

  it('answers undefined for a deleted or unknown tenant and writes nothing', async () => {
    const tenant = await createTenant(t.db)
    await deleteTestTenant(t.database, tenant.id, { now: T1 })
    const audit = await countRows(t.db, 'audit_log')

    expect(
      await editTenant(t.db, context, tenant.id, { ...editOf(tenant), name: 'Ghost' }, T1),
    ).toBeUndefined()
    expect(
      await editTenant(
        t.db,
        context,
        crypto.randomUUID(),
        { ...editOf(tenant), name: 'Ghost' },
        T1,
      ),
    ).toBeUndefined()
    expect((await findTenantRow(tenant.id)).name).toBe(tenant.name)
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
  })
})

describe('changeTenantStatus', () => {
  it('suspends an active tenant, stamping suspended_at, and audits the status change', async () => {
    const tenant = await createTenant(t.db)

    const after = await changeTenantStatus(t.db, context, tenant.id, 'suspend', T1)

    expect(after).toMatchObject({ status: 'suspended', suspendedAt: T1 })
    expect((await auditEntries(t.db, 'tenant.suspend')).at(-1)).toMatchObject({
      tenant_id: tenant.id,
      before: { status: 'active' },
      after: { status: 'suspended' },
    })
  })

  it('activates a suspended tenant and clears suspended_at', async () => {
    const tenant = await createTenant(t.db)
    await changeTenantStatus(t.db, context, tenant.id, 'suspend', T1)

    const after = await changeTenantStatus(t.db, context, tenant.id, 'activate', T1)

    expect(after).toMatchObject({ status: 'active', suspendedAt: null })
    expect((await auditEntries(t.db, 'tenant.activate')).at(-1)).toMatchObject({
      tenant_id: tenant.id,
      after: { status: 'active' },
    })
  })

  it('is compare-and-set: a change from the wrong status answers undefined and writes nothing', async () => {
    const active = await createTenant(t.db)
    const failed = await createTenant(t.db)
    await t.db
      .updateTable('tenants')
      .set({ status: 'failed' })
      .where('id', '=', failed.id)
      .execute()
    const audit = await countRows(t.db, 'audit_log')

    expect(await changeTenantStatus(t.db, context, active.id, 'activate', T1)).toBeUndefined()
    expect(await changeTenantStatus(t.db, context, failed.id, 'suspend', T1)).toBeUndefined()
    expect(await changeTenantStatus(t.db, context, failed.id, 'activate', T1)).toBeUndefined()
    expect(
      await changeTenantStatus(t.db, context, crypto.randomUUID(), 'suspend', T1),
    ).toBeUndefined()
    expect((await findTenantRow(active.id)).status).toBe('active')
    expect((await findTenantRow(failed.id)).status).toBe('failed')
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
  })

  it('of five parallel suspends exactly one wins and one entry is audited', async () => {
    const tenant = await createTenant(t.db)
    const audit = await countRows(t.db, 'audit_log')

    const results = await Promise.all(
      Array.from({ length: 5 }, () => changeTenantStatus(t.db, context, tenant.id, 'suspend', T1)),
    )

    expect(results.filter(Boolean)).toHaveLength(1)
    expect((await findTenantRow(tenant.id)).status).toBe('suspended')
    expect(await countRows(t.db, 'audit_log')).toBe(audit + 1)
  })
})
