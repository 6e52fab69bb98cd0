import { describe, expect, it } from 'vitest'
import { auditEntries } from '../test-support/database-state.js'
import { addMembership, createTenant, createUser } from '../test-support/factories.js'
import { deleteTestTenant } from '../test-support/deletion.js'
import { useTestDatabase } from '../test-support/test-app.js'
import {
  addMembership as addMember,
  changeMembershipRole,
  removeMembership,
} from './memberships.js'

const t = useTestDatabase()
const context = { actor: { id: crypto.randomUUID(), email: 'ops@example.com' } }

async function owners(tenantId: string) {
  const rows = await t.db
    .selectFrom('memberships')
    .select('user_id')
    .where('tenant_id', '=', tenantId)
    .where('role', '=', 'owner')
    .execute()
  return rows.map((r) => r.user_id)
}

describe('the last owner rule', () => {
  it('two operators demoting the last two owners at once: one wins, the tenant keeps an owner', async () => {
    const tenant = await createTenant(t.db)
    const [first] = await owners(tenant.id)
    const second = await createUser(t.db)
    await addMembership(t.db, second, tenant, 'owner')

    const results = await Promise.all(
      [first, second.id].map((userId) =>
        changeMembershipRole(t.db, context, { userId, tenantId: tenant.id }, 'member'),
      ),
    )

    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'last_owner' }])
    expect(await owners(tenant.id)).toHaveLength(1)
  })

  it('removing one owner while demoting the other at once leaves one owner', async () => {
    const tenant = await createTenant(t.db)
    const [first] = await owners(tenant.id)
    const second = await createUser(t.db)
    await addMembership(t.db, second, tenant, 'owner')

    const results = await Promise.all([
      removeMembership(t.db, context, { userId: first, tenantId: tenant.id }),
      changeMembershipRole(t.db, context, { userId: second.id, tenantId: tenant.id }, 'admin'),
    ])

    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(await owners(tenant.id)).toHaveLength(1)
  })

  it('choosing the role a member already has changes and audits nothing', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)
    await addMembership(t.db, user, tenant, 'admin')
    const before = (await auditEntries(t.db, 'membership.role_change')).length

    const result = await changeMembershipRole(
      t.db,
      context,
      { userId: user.id, tenantId: tenant.id },
      'admin',
    )

    expect(result).toMatchObject({ ok: true, changed: false })
    expect(await auditEntries(t.db, 'membership.role_change')).toHaveLength(before)
  })

  it('adding to a tenant by an unknown slug or for an unknown user is refused', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)

    expect(
      await addMember(t.db, context, { userId: user.id, slug: 'nope', role: 'member' }),
    ).toEqual({ ok: false, reason: 'unknown_tenant' })
    expect(
      await addMember(t.db, context, {
        userId: crypto.randomUUID(),
        slug: tenant.slug,
        role: 'member',
      }),
    ).toEqual({ ok: false, reason: 'user_not_found' })
  })
})

describe('a deleted tenant', () => {
  it('keeps its members as they were: a role change and a removal are refused and change nothing', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)
    await addMembership(t.db, user, tenant, 'admin')
    await deleteTestTenant(t.database, tenant.id)
    const key = { userId: user.id, tenantId: tenant.id }

    const changed = await changeMembershipRole(t.db, context, key, 'member')
    const removed = await removeMembership(t.db, context, key)

    expect(changed).toEqual({ ok: false, reason: 'tenant_deleted' })
    expect(removed).toEqual({ ok: false, reason: 'tenant_deleted' })
    const row = await t.db
      .selectFrom('memberships')
      .select('role')
      .where('user_id', '=', user.id)
      .where('tenant_id', '=', tenant.id)
      .executeTakeFirst()
    expect(row).toEqual({ role: 'admin' })
  })
})
