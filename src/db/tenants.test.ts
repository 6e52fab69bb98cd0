import { describe, expect, it } from 'vitest'
import { listTenants, type TenantFilter } from './tenants.js'
import { ALL_TENANTS } from './tenant-scope.js'
import { useTestDatabase } from '../test-support/test-app.js'

// Sorting and filtering of the tenants table (issue #6 item 25), on rows written directly so
// every value that decides an order is known. Each tenant's name carries the test's marker, so
// `q` keeps other tests' rows out.

const t = useTestDatabase()

const DAY = 24 * 3600_000

type Spec = {
  slug: string
  name: string
  plan?: string
  createdAt: string
  members?: number
  storage?: [db: number, files: number]
  lastActivityAt?: string
}

async function insertFleet(marker: string, specs: Spec[]): Promise<void> {
  for (const spec of specs) {
    const id = crypto.randomUUID()
    const createdAt = new Date(spec.createdAt)
    await t.db
      .insertInto('tenants')
      .values({
        id,
        slug: `${spec.slug}-${marker}`,
        name: `${spec.name} ${marker}`,
        status: 'active',
        plan_id: spec.plan ?? 'free',
        billing_email: 'billing@example.com',
        first_admin_email: 'owner@example.com',
        first_admin_name: 'Owner',
        provisioning_error: null,
        created_at: createdAt,
        updated_at: createdAt,
        last_activity_at: spec.lastActivityAt ? new Date(spec.lastActivityAt) : null,
      })
      .execute()
    for (let n = 0; n < (spec.members ?? 0); n++) {
      const userId = crypto.randomUUID()
      await t.db
        .insertInto('users')
        .values({ id: userId, email: `${userId}@example.com`, name: 'U', created_at: createdAt })
        .execute()
      await t.db
        .insertInto('memberships')
        .values({ user_id: userId, tenant_id: id, role: 'member', created_at: createdAt })
        .execute()
    }
    if (spec.storage)
      await t.db
        .insertInto('storage_snapshots')
        .values({
          tenant_id: id,
          db_bytes: spec.storage[0],
          file_bytes: spec.storage[1],
          taken_at: createdAt,
        })
        .execute()
  }
}

let marker = 0

/** A fleet of four whose every sortable value differs from its creation order. */
async function fleet(): Promise<(filter?: TenantFilter) => Promise<string[]>> {
  const m = `m${++marker}x${Math.floor(Math.random() * 1e6)}`
  await insertFleet(m, [
    {
      slug: 'alpha',
      name: 'Charlie',
      plan: 'professional',
      createdAt: '2025-01-10T12:00:00Z',
      members: 3,
      storage: [100, 5],
      lastActivityAt: '2025-06-01T00:00:00Z',
    },
    {
      slug: 'bravo',
      name: 'alpha',
      createdAt: '2025-03-01T08:00:00Z',
      members: 1,
      storage: [10, 500],
      lastActivityAt: '2025-07-01T00:00:00Z',
    },
    { slug: 'charlie', name: 'Bravo', plan: 'enterprise', createdAt: '2025-02-15T23:30:00Z' },
    {
      slug: 'delta',
      name: 'delta',
      createdAt: '2025-01-31T00:00:00Z',
      members: 2,
      storage: [300, 0],
      lastActivityAt: '2025-05-01T00:00:00Z',
    },
  ])
  return async (filter = {}) =>
    (await listTenants(t.db, ALL_TENANTS, { ...filter, q: m })).items.map(
      (t) => t.slug.split('-')[0],
    )
}

describe('listTenants sorting', () => {
  it('is newest first by default', async () => {
    const slugs = await fleet()
    expect(await slugs()).toEqual(['bravo', 'charlie', 'delta', 'alpha'])
  })

  it('sorts by name case-insensitively, both ways', async () => {
    const slugs = await fleet()
    expect(await slugs({ sort: 'name', dir: 'asc' })).toEqual([
      'bravo',
      'charlie',
      'alpha',
      'delta',
    ])
    expect(await slugs({ sort: 'name', dir: 'desc' })).toEqual([
      'delta',
      'alpha',
      'charlie',
      'bravo',
    ])
  })

  it('sorts by member count', async () => {
    const slugs = await fleet()
    expect(await slugs({ sort: 'members', dir: 'desc' })).toEqual([
      'alpha',
      'delta',
      'bravo',
      'charlie',
    ])
    expect(await slugs({ sort: 'members', dir: 'asc' })).toEqual([
      'charlie',
      'bravo',
      'delta',
      'alpha',
    ])
  })

  it('sorts by the storage snapshot (DB + files), unmeasured tenants last both ways', async () => {
    const slugs = await fleet()
    expect(await slugs({ sort: 'storage', dir: 'desc' })).toEqual([
      'bravo',
      'delta',
      'alpha',
      'charlie',
    ])
    expect(await slugs({ sort: 'storage', dir: 'asc' })).toEqual([
      'alpha',
      'delta',
      'bravo',
      'charlie',
    ])
  })

  it('sorts by last activity, never-active tenants last', async () => {
    const slugs = await fleet()
    expect(await slugs({ sort: 'activity', dir: 'desc' })).toEqual([
      'bravo',
      'alpha',
      'delta',
      'charlie',
    ])
    expect(await slugs({ sort: 'activity', dir: 'asc' })).toEqual([
      'delta',
      'alpha',
      'bravo',
      'charlie',
    ])
  })

  it('pages through a sort without repeating or skipping a tenant', async () => {
    const slugs = await fleet()
    const pages = [
      ...(await slugs({ sort: 'members', dir: 'asc', perPage: 3, page: 1 })),
      ...(await slugs({ sort: 'members', dir: 'asc', perPage: 3, page: 2 })),
    ]
    expect(pages).toEqual(['charlie', 'bravo', 'delta', 'alpha'])
  })

  it('returns last activity on each row', async () => {
    const m = `act${Math.floor(Math.random() * 1e9)}`
    await insertFleet(m, [
      {
        slug: 'seen',
        name: 'Seen',
        createdAt: '2025-01-01',
        lastActivityAt: '2025-04-02T10:00:00Z',
      },
    ])
    const { items } = await listTenants(t.db, ALL_TENANTS, { q: m })
    expect(items[0].lastActivityAt).toEqual(new Date('2025-04-02T10:00:00Z'))
  })
})

describe('listTenants filters', () => {
  it('keeps one plan', async () => {
    const slugs = await fleet()
    expect(await slugs({ planId: 'enterprise' })).toEqual(['charlie'])
    expect(await slugs({ planId: 'free' })).toEqual(['bravo', 'delta'])
  })

  it('keeps a created range: from inclusive, before exclusive', async () => {
    const slugs = await fleet()
    const from = new Date('2025-01-31T00:00:00Z')
    const before = new Date(new Date('2025-02-15T00:00:00Z').getTime() + DAY)
    expect(await slugs({ createdFrom: from, createdBefore: before })).toEqual(['charlie', 'delta'])
    expect(await slugs({ createdFrom: new Date('2025-03-01T08:00:01Z') })).toEqual([])
  })

  it('counts what the filters keep, not the whole fleet', async () => {
    const m = `cnt${Math.floor(Math.random() * 1e9)}`
    await insertFleet(m, [
      { slug: 'one', name: 'One', plan: 'enterprise', createdAt: '2025-01-01' },
      { slug: 'two', name: 'Two', createdAt: '2025-01-02' },
      { slug: 'three', name: 'Three', createdAt: '2025-01-03' },
    ])
    expect((await listTenants(t.db, ALL_TENANTS, { q: m, planId: 'free' })).total).toBe(2)
    expect(
      (await listTenants(t.db, ALL_TENANTS, { q: m, planId: 'free', perPage: 1 })).items,
    ).toHaveLength(1)
  })
})
