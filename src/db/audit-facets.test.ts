import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { down, up } from '../../migrations/platform/2026113002_audit_facets.js'
import { appendAuditEntry, listAuditFacets, type AuditContext } from './audit-log.js'
import type { Db } from './database.js'
import { openTestDatabase } from './test-database.js'

// Issue 6 item 20: the audit page's filter lists come from audit_facets, kept by the audit
// writer, so they cost the same at 12k and at 500k log rows.

let db: Db
let close: () => Promise<void>

beforeAll(async () => {
  const handle = await openTestDatabase()
  db = handle.db
  close = handle.close
})

afterAll(() => close())

function append(context: AuditContext, action: string) {
  return db.transaction().execute((trx) => appendAuditEntry(trx, context, { action }))
}

const ada = { id: crypto.randomUUID(), email: 'ada@example.com' }
const grace = { id: crypto.randomUUID(), email: 'grace@example.com' }

describe('audit facets', () => {
  it('list each action and actor once, however many entries name them', async () => {
    await append({ actor: ada }, 'tenant.suspend')
    await append({ actor: ada }, 'tenant.suspend')
    await append({ actor: grace }, 'tenant.activate')
    await append({ actor: null }, 'security.ip_refused')

    expect(await listAuditFacets(db)).toEqual({
      actions: ['security.ip_refused', 'tenant.activate', 'tenant.suspend'],
      actors: [
        { actor_id: ada.id, actor_email: 'ada@example.com' },
        { actor_id: grace.id, actor_email: 'grace@example.com' },
      ],
    })
    expect(
      await db
        .selectFrom('audit_facets')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst(),
    ).toEqual({ n: 5 })
  })

  it('an entry rolled back with its change leaves no facet behind', async () => {
    const stranger = { id: crypto.randomUUID(), email: 'stranger@example.com' }
    await expect(
      db.transaction().execute(async (trx) => {
        await appendAuditEntry(trx, { actor: stranger }, { action: 'tenant.rolled_back' })
        throw new Error('the change failed')
      }),
    ).rejects.toThrow('the change failed')

    const facets = await listAuditFacets(db)
    expect(facets.actions).not.toContain('tenant.rolled_back')
    expect(facets.actors.map((a) => a.actor_id)).not.toContain(stranger.id)
  })

  it('an actor whose email changed is listed once, under the newest email', async () => {
    await append({ actor: { id: ada.id, email: 'ada.lovelace@example.com' } }, 'tenant.edit')

    const actors = (await listAuditFacets(db)).actors.filter((a) => a.actor_id === ada.id)
    expect(actors).toEqual([{ actor_id: ada.id, actor_email: 'ada.lovelace@example.com' }])
  })

  it('the migration fills the facets from the log that exists when it runs', async () => {
    const before = await listAuditFacets(db)
    await down(db)
    await up(db)

    expect(await listAuditFacets(db)).toEqual(before)
  })
})
