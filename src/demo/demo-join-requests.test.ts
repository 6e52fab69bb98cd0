import { describe, expect, it } from 'vitest'
import { listJoinRequests } from '../db/join-requests.js'
import { ALL_TENANTS } from '../db/tenant-scope.js'
import { changeTenantStatus } from '../tenancy/lifecycle.js'
import { createTenant } from '../test-support/factories.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { seedDemoJoinRequests } from './demo-join-requests.js'

const t = useTestDatabase()

describe('seedDemoJoinRequests', () => {
  it('files pending requests for active tenants, approves one and denies one', async () => {
    const active = [await createTenant(t.db), await createTenant(t.db)]
    const suspended = await createTenant(t.db)
    await changeTenantStatus(t.db, { actor: null }, suspended.id, 'suspend')
    const summary = await seedDemoJoinRequests(t.db, { actor: null, requestId: 'seed' }, [
      ...active,
      suspended,
    ])
    const { items } = await listJoinRequests(t.db, ALL_TENANTS, { perPage: 100 })
    expect(items.filter((i) => i.status === 'pending')).toHaveLength(summary.pending)
    expect(items.filter((i) => i.status === 'approved')).toHaveLength(summary.approved)
    expect(items.filter((i) => i.status === 'denied')).toHaveLength(summary.denied)
    expect(summary.approved + summary.denied).toBe(2)
    expect(items.some((i) => i.tenantId === suspended.id)).toBe(false)
    expect(items.every((i) => /@example\.(com|org|net)$/.test(i.email))).toBe(true)
  })
})
