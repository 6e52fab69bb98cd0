import { describe, expect, it } from 'vitest'
import { findTenantOverrides } from '../db/flags.js'
import { insertTenant } from '../db/tenants.js'
import { createFlag, uniqueSuffix } from '../test-support/factories.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { setTenantOverrideIn } from './overrides.js'

const t = useTestDatabase()
const context = { actor: null, requestId: 'req-override' }

async function tenant() {
  const suffix = uniqueSuffix()
  return (await insertTenant(t.db, {
    id: crypto.randomUUID(),
    slug: `ovr-${suffix}`,
    name: `Override ${suffix}`,
    status: 'active',
    planId: 'free',
    billingEmail: 'b@example.com',
    firstAdminEmail: 'a@example.com',
    firstAdminName: 'A',
    createdAt: new Date(),
  }))!
}

const set = (key: string, tenantId: string, value: boolean | string | null) =>
  t.db
    .transaction()
    .execute((trx) => setTenantOverrideIn(trx, context, key, tenantId, value, new Date()))

async function auditOf(key: string, tenantId: string) {
  return t.db
    .selectFrom('audit_log')
    .select(['action', 'before', 'after'])
    .where('target_id', '=', key)
    .where('tenant_id', '=', tenantId)
    .orderBy('seq')
    .execute()
}

describe('setTenantOverrideIn', () => {
  it('sets, changes and clears an override, auditing each with before and after', async () => {
    const flag = await createFlag(t.db)
    const { id } = await tenant()

    expect(await set(flag.key, id, true)).toMatchObject({ ok: true, before: { override: null } })
    expect((await findTenantOverrides(t.db, id)).get(flag.id)).toBe(true)
    expect(await set(flag.key, id, false)).toMatchObject({
      ok: true,
      before: { override: true },
      after: { override: false },
    })
    expect(await set(flag.key, id, null)).toMatchObject({ ok: true, after: { override: null } })
    expect((await findTenantOverrides(t.db, id)).has(flag.id)).toBe(false)

    const entries = await auditOf(flag.key, id)
    expect(entries.map((e) => e.action)).toEqual([
      'flag.override.set',
      'flag.override.set',
      'flag.override.remove',
    ])
    expect(entries[1]).toMatchObject({ before: { override: true }, after: { override: false } })
  })

  it('refuses an archived flag, a wrong value, an unknown flag or tenant, and a no-op, writing nothing', async () => {
    const archived = await createFlag(t.db, { archived: true })
    const variant = await createFlag(t.db, {
      type: 'string',
      variants: ['a', 'b'],
      defaultValue: 'a',
    })
    const { id } = await tenant()

    expect(await set(archived.key, id, true)).toEqual({ ok: false, reason: 'flag_archived' })
    expect(await set(variant.key, id, 'c')).toEqual({ ok: false, reason: 'invalid_value' })
    expect(await set(variant.key, id, true)).toEqual({ ok: false, reason: 'invalid_value' })
    expect(await set('no-such-flag', id, true)).toEqual({ ok: false, reason: 'flag_not_found' })
    expect(await set(variant.key, crypto.randomUUID(), 'b')).toEqual({
      ok: false,
      reason: 'tenant_not_found',
    })
    expect(await set(variant.key, id, null)).toEqual({ ok: false, reason: 'unchanged' })

    expect(await findTenantOverrides(t.db, id)).toEqual(new Map())
    expect(await auditOf(archived.key, id)).toEqual([])
    expect(await auditOf(variant.key, id)).toEqual([])
  })
})
