import type { KyselyPlugin } from 'kysely'
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../test-support/test-app.js'
import { appendAuditEntry, verifyAuditChain } from './audit-log.js'

// A bulk batch appends thousands of audit entries in one transaction (issue 9 item 4): after the
// first, each costs only its insert (the lock and the chain's head are the transaction's until it
// ends), and the chain the verifier walks is exactly the one entry-by-entry appends make.

const t = useTestDatabase()

describe('many audit entries in one transaction', () => {
  it('keep the chain intact between transactions, and cost one statement each after the first', async () => {
    const kinds: string[] = []
    const seen = new WeakMap<object, string>()
    const recorder: KyselyPlugin = {
      transformQuery(args) {
        seen.set(args.queryId, args.node.kind)
        return args.node
      },
      transformResult: async (args) => (kinds.push(seen.get(args.queryId) ?? 'raw'), args.result),
    }
    const db = t.db.withPlugin(recorder)
    const actor = { id: crypto.randomUUID(), email: 'bulk@example.test' }
    await db
      .transaction()
      .execute((trx) => appendAuditEntry(trx, { actor }, { action: 'test.before' }))

    const seqs = await db.transaction().execute(async (trx) => {
      const first = await appendAuditEntry(trx, { actor }, { action: 'test.bulk' })
      kinds.length = 0
      const rest = []
      for (let i = 0; i < 20; i++)
        rest.push(
          await appendAuditEntry(
            trx,
            { actor, batchId: crypto.randomUUID() },
            { action: 'test.bulk', after: { i } },
          ),
        )
      return [first, ...rest].map((r) => r.seq)
    })
    expect(kinds).toEqual(Array(20).fill('InsertQueryNode'))
    await db
      .transaction()
      .execute((trx) => appendAuditEntry(trx, { actor }, { action: 'test.after' }))

    expect(seqs).toEqual(Array.from({ length: 21 }, (_, i) => seqs[0] + i))
    const verdict = await verifyAuditChain(t.db)
    expect(verdict).toEqual({ ok: true, checked: seqs[0] + 21 })
  })

  it('a transaction that rolls back leaves no gap for the next one', async () => {
    const before = await verifyAuditChain(t.db)
    await t.db
      .transaction()
      .execute(async (trx) => {
        await appendAuditEntry(trx, {}, { action: 'test.undone' })
        await appendAuditEntry(trx, {}, { action: 'test.undone' })
        throw new Error('rolled back')
      })
      .catch(() => undefined)
    await t.db.transaction().execute((trx) => appendAuditEntry(trx, {}, { action: 'test.kept' }))
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, checked: before.checked + 1 })
  })
})
