import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { addMembership, createTenant, createUser } from '../test-support/factories.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { listUsers, upsertUser, USER_COUNT_CAP } from './users.js'

const t = useTestDatabase()

describe('listUsers', () => {
  it('counts exactly up to 10,000 matches, and above says "about" with the planner estimate', async () => {
    await sql`insert into users (id, email, name, status, created_at)
      select gen_random_uuid(), 'bulk' || g || '@example.com', 'Bulk ' || g, 'active', now()
      from generate_series(1, ${USER_COUNT_CAP + 50}) g`.execute(t.db)
    await sql`analyze users`.execute(t.db)

    const all = await listUsers(t.db, {}, { q: 'bulk' })
    const few = await listUsers(t.db, {}, { q: 'bulk1234@' })

    expect(all.total.exact).toBe(false)
    expect(all.total.count).toBeGreaterThan(USER_COUNT_CAP)
    expect(all.items).toHaveLength(50)
    expect(few.total).toEqual({ count: 1, exact: true })
  })

  it('with a tenant scope lists only that tenant’s members, without their other tenants, and a role filter means the role there', async () => {
    const acme = await createTenant(t.db)
    const globex = await createTenant(t.db)
    const both = await createUser(t.db, { name: 'scoped both' })
    const onlyGlobex = await createUser(t.db, { name: 'scoped globex' })
    await addMembership(t.db, both, acme, 'member')
    await addMembership(t.db, both, globex, 'admin')
    await addMembership(t.db, onlyGlobex, globex, 'member')

    const inAcme = await listUsers(t.db, { tenantId: acme.id }, { q: 'scoped' })
    const adminsInAcme = await listUsers(
      t.db,
      { tenantId: acme.id },
      { q: 'scoped', role: 'admin' },
    )
    const bogus = await listUsers(t.db, { tenantId: 'not-a-uuid' }, {})

    expect(inAcme.items.map((u) => u.id)).toEqual([both.id])
    // Scoped, a row says nothing about the user's other customers.
    expect(inAcme.items[0]).toMatchObject({ tenants: [], membershipCount: 0 })
    expect(adminsInAcme.items).toEqual([])
    expect(bogus.items).toEqual([])
  })

  it('counts a role filter beyond one page exactly, other filters included', async () => {
    const tenant = await createTenant(t.db)
    for (let i = 0; i < 56; i++) {
      const u = await createUser(t.db, {
        name: `rolecount ${i}`,
        status: i === 0 ? 'disabled' : 'active',
      })
      await addMembership(t.db, u, tenant, i % 8 === 7 ? 'member' : 'admin')
    }

    const admins = await listUsers(t.db, {}, { q: 'rolecount', role: 'admin' })
    const activeAdmins = await listUsers(
      t.db,
      {},
      { q: 'rolecount', role: 'admin', status: 'active' },
    )

    expect(admins.items).toHaveLength(49)
    expect(admins.total).toEqual({ count: 49, exact: true })
    const second = await listUsers(t.db, {}, { q: 'rolecount', role: 'admin', limit: 20 })
    expect(second.total).toEqual({ count: 49, exact: true })
    expect(activeAdmins.total.count).toBe(48)
  })
})

describe('upsertUser', () => {
  it('two concurrent upserts of a new email agree on one user: the loser reads the winner', async () => {
    const email = `race-${crypto.randomUUID()}@example.com`
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let inserted!: () => void
    const firstInserted = new Promise<void>((resolve) => (inserted = resolve))
    // The first transaction inserts and stays open; the second reads nothing yet, and its insert
    // waits on the unique index until the first commits (on PGlite it waits for the connection).
    const first = t.db.transaction().execute(async (trx) => {
      const id = await upsertUser(trx, email, 'First')
      inserted()
      await held
      return id
    })
    await firstInserted
    const second = t.db
      .transaction()
      .execute((trx) => upsertUser(trx, email.toUpperCase(), 'Second'))
    await new Promise((resolve) => setTimeout(resolve, 100))
    release()

    const [a, b] = await Promise.all([first, second])

    expect(b).toBe(a)
    const rows = await t.db
      .selectFrom('users')
      .select('name')
      .where(sql<string>`lower(email)`, '=', email)
      .execute()
    expect(rows).toEqual([{ name: 'First' }])
  })
})
