import { sql } from 'kysely'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  GENESIS_HASH,
  appendAuditEntry,
  chainHash,
  listAuditEntries,
  verifyAuditChain,
  type AuditContext,
  type AuditEntry,
} from './audit-log.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { ALL_TENANTS } from './tenant-scope.js'

const t = useTestDatabase()

beforeEach(() => clearAuditLog())

const T0 = new Date('2026-03-02T09:00:00.000Z')
const ada = { id: crypto.randomUUID(), email: 'ada@example.com' }
const grace = { id: crypto.randomUUID(), email: 'grace@example.com' }

/** Empties the log the only way the database allows: with its guard triggers off. */
async function clearAuditLog(): Promise<void> {
  await t.db.transaction().execute(async (trx) => {
    await sql`alter table audit_log disable trigger user`.execute(trx)
    await sql`truncate audit_log`.execute(trx)
    await sql`alter table audit_log enable trigger user`.execute(trx)
  })
}

/** Runs `statement` with the append-only triggers disabled, as someone with DDL rights could. */
async function tamper(statement: ReturnType<typeof sql>): Promise<void> {
  await sql`alter table audit_log disable trigger user`.execute(t.db)
  try {
    await statement.execute(t.db)
  } finally {
    await sql`alter table audit_log enable trigger user`.execute(t.db)
  }
}

function append(entry: Partial<AuditEntry> = {}, context: AuditContext = { actor: ada }, now = T0) {
  return t.db
    .transaction()
    .execute((trx) => appendAuditEntry(trx, context, { action: 'tenant.update', ...entry }, now))
}

/** Appends `count` entries one transaction after another. */
async function appendMany(count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    await append(
      { targetId: `t${i}`, after: { step: i } },
      { actor: ada },
      new Date(T0.getTime() + i),
    )
  }
}

function allRows() {
  return t.db.selectFrom('audit_log').selectAll().orderBy('seq').execute()
}

describe('appendAuditEntry', () => {
  it('refuses to run outside a transaction and writes nothing', async () => {
    // The type already refuses a non-transaction; the runtime check guards casts and JS callers.
    const notATransaction = t.db as unknown as Parameters<typeof appendAuditEntry>[0]
    await expect(
      appendAuditEntry(notATransaction, { actor: ada }, { action: 'tenant.update' }),
    ).rejects.toThrow('appendAuditEntry must run inside a transaction')
    expect(await allRows()).toEqual([])
  })

  it('stores the context and the entry as given', async () => {
    const tenantId = crypto.randomUUID()
    const batchId = crypto.randomUUID()
    const impersonatedUserId = crypto.randomUUID()

    const result = await append(
      {
        action: 'tenant.suspend',
        targetType: 'tenant',
        targetId: tenantId,
        tenantId,
        before: { status: 'active' },
        after: { status: 'suspended' },
        impersonatedUserId,
        impersonatedTenantId: tenantId,
      },
      { actor: ada, requestId: 'req-1', ip: '203.0.113.9', userAgent: 'Firefox', batchId },
    )

    expect(await allRows()).toEqual([
      {
        seq: 1,
        created_at: T0,
        actor_id: ada.id,
        actor_email: ada.email,
        impersonated_user_id: impersonatedUserId,
        impersonated_tenant_id: tenantId,
        action: 'tenant.suspend',
        target_type: 'tenant',
        target_id: tenantId,
        tenant_id: tenantId,
        before: { status: 'active' },
        after: { status: 'suspended' },
        request_id: 'req-1',
        ip: '203.0.113.9',
        user_agent: 'Firefox',
        batch_id: batchId,
        api_token_id: null,
        approved_by_id: null,
        approved_by_email: null,
        prev_hash: GENESIS_HASH,
        hash: result.hash,
      },
    ])
  })

  it('stores nulls for a system entry without actor or details', async () => {
    await append({ action: 'system.start' }, {})

    expect(await allRows()).toMatchObject([
      { seq: 1, actor_id: null, actor_email: null, before: null, after: null, tenant_id: null },
    ])
  })

  it('numbers entries 1, 2, 3 and chains each to the hash of the one before', async () => {
    const results = await t.db
      .transaction()
      .execute(async (trx) => [
        await appendAuditEntry(trx, { actor: ada }, { action: 'a' }, T0),
        await appendAuditEntry(trx, { actor: ada }, { action: 'b' }, T0),
      ])
    results.push(await append({ action: 'c' }))

    const rows = await allRows()
    expect(results.map((r) => r.seq)).toEqual([1, 2, 3])
    expect(rows.map((r) => [r.seq, r.action])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ])
    expect(rows.map((r) => r.hash)).toEqual(results.map((r) => r.hash))
    expect(rows[0].prev_hash).toBe(GENESIS_HASH)
    expect(rows[1].prev_hash).toBe(rows[0].hash)
    expect(rows[2].prev_hash).toBe(rows[1].hash)
    expect(new Set(rows.map((r) => r.hash)).size).toBe(3)
    for (const { prev_hash, hash, ...fields } of rows) {
      expect(hash).toMatch(/^[0-9a-f]{64}$/)
      expect(chainHash(prev_hash, fields)).toBe(hash)
    }
  })

  it('leaves no row and no gap when the transaction rolls back', async () => {
    await append({ action: 'kept' })

    await expect(
      t.db.transaction().execute(async (trx) => {
        await appendAuditEntry(trx, { actor: ada }, { action: 'rolled-back' }, T0)
        throw new Error('the change failed')
      }),
    ).rejects.toThrow('the change failed')
    await append({ action: 'next' })

    const rows = await allRows()
    expect(rows.map((r) => [r.seq, r.action])).toEqual([
      [1, 'kept'],
      [2, 'next'],
    ])
    expect(rows[1].prev_hash).toBe(rows[0].hash)
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, checked: 2 })
  })

  it('gives seq 1 to 10 with an intact chain when 10 transactions append at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.db.transaction().execute(async (trx) => {
          await sql`select pg_sleep(0.01)`.execute(trx)
          return appendAuditEntry(trx, { actor: ada }, { action: `parallel-${i}` }, T0)
        }),
      ),
    )

    const rows = await allRows()
    expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(new Set(rows.map((r) => r.action)).size).toBe(10)
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, checked: 10 })
  })

  it('hashes ids given in upper case or braces as PostgreSQL stores them, so the chain verifies', async () => {
    const tenantId = crypto.randomUUID()
    const batchId = crypto.randomUUID()

    await append(
      { tenantId: tenantId.toUpperCase(), impersonatedTenantId: `{${tenantId}}` },
      { actor: { id: ada.id.toUpperCase(), email: ada.email }, batchId: batchId.replace(/-/g, '') },
    )

    expect(await allRows()).toMatchObject([
      {
        tenant_id: tenantId,
        impersonated_tenant_id: tenantId,
        actor_id: ada.id,
        batch_id: batchId,
      },
    ])
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, checked: 1 })
  })

  it('refuses an id that is not a uuid and rolls the entry back', async () => {
    await expect(append({ tenantId: 'acme' })).rejects.toThrow(/uuid/)

    expect(await allRows()).toEqual([])
  })

  it('keeps a verifiable hash for JSON with unsorted keys, nesting, dates and undefined', async () => {
    await append({
      before: { zeta: 1, alpha: { y: [3, { b: true, a: null }], x: 'ü' }, gone: undefined },
      after: { when: new Date('2026-01-01T00:00:00.123Z'), n: 1.5, big: 1e21, list: [] },
    })

    const [row] = await allRows()
    expect(row.before).toEqual({ zeta: 1, alpha: { y: [3, { b: true, a: null }], x: 'ü' } })
    expect(row.after).toEqual({ when: '2026-01-01T00:00:00.123Z', n: 1.5, big: 1e21, list: [] })
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, checked: 1 })
  })
})

describe('the append-only guard in the database', () => {
  it('refuses UPDATE, DELETE and TRUNCATE and leaves the rows as they were', async () => {
    await appendMany(2)
    const before = await allRows()

    await expect(
      sql`update audit_log set action = 'edited' where seq = 1`.execute(t.db),
    ).rejects.toThrow(/append-only/)
    await expect(sql`delete from audit_log where seq = 2`.execute(t.db)).rejects.toThrow(
      /append-only/,
    )
    await expect(sql`truncate audit_log`.execute(t.db)).rejects.toThrow(/append-only/)
    await expect(
      t.db.updateTable('audit_log').set({ actor_email: 'x@example.com' }).execute(),
    ).rejects.toThrow(/append-only/)

    expect(await allRows()).toEqual(before)
  })

  it('names the refused operation in the error', async () => {
    await appendMany(1)

    await expect(sql`delete from audit_log`.execute(t.db)).rejects.toThrow(
      'audit_log is append-only: DELETE refused',
    )
    await expect(sql`truncate audit_log`.execute(t.db)).rejects.toThrow(
      'audit_log is append-only: TRUNCATE refused',
    )
  })
})

describe('verifyAuditChain', () => {
  it('reports ok with nothing checked on an empty log', async () => {
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, checked: 0 })
  })

  it('reports ok and the number of rows on an intact chain', async () => {
    await appendMany(5)

    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, checked: 5 })
  })

  it('walks across pages: ok on exact and partial pages', async () => {
    await appendMany(6)

    expect(await verifyAuditChain(t.db, 2)).toEqual({ ok: true, checked: 6 })
    expect(await verifyAuditChain(t.db, 4)).toEqual({ ok: true, checked: 6 })
    expect(await verifyAuditChain(t.db, 1)).toEqual({ ok: true, checked: 6 })
  })

  it("reports the seq of a row whose 'after' was edited with the triggers disabled", async () => {
    await appendMany(3)

    await tamper(sql`update audit_log set after = '{"step": 99}'::jsonb where seq = 2`)

    expect((await allRows())[1].after).toEqual({ step: 99 })
    expect(await verifyAuditChain(t.db)).toEqual({
      ok: false,
      checked: 1,
      seq: 2,
      reason: 'row content does not match its hash',
    })
  })

  it('finds an edit on a later page', async () => {
    await appendMany(5)

    await tamper(sql`update audit_log set actor_email = 'mallory@example.com' where seq = 4`)

    expect(await verifyAuditChain(t.db, 2)).toMatchObject({ ok: false, checked: 3, seq: 4 })
  })

  it('finds an edit of the timestamp', async () => {
    await appendMany(3)

    await tamper(
      sql`update audit_log set created_at = created_at + interval '1 second' where seq = 1`,
    )

    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, seq: 1 })
  })

  it('reports the gap where a middle row was deleted', async () => {
    await appendMany(3)

    await tamper(sql`delete from audit_log where seq = 2`)

    expect(await verifyAuditChain(t.db)).toEqual({
      ok: false,
      checked: 1,
      seq: 3,
      reason: 'seq 2 is missing',
    })
  })

  it('reports the first row missing', async () => {
    await appendMany(2)

    await tamper(sql`delete from audit_log where seq = 1`)

    expect(await verifyAuditChain(t.db)).toEqual({
      ok: false,
      checked: 0,
      seq: 2,
      reason: 'seq 1 is missing',
    })
  })

  it('catches a rewritten row whose own hash was recomputed, at the next link', async () => {
    await appendMany(3)
    const [, second] = await allRows()
    const { prev_hash, hash: _old, ...fields } = second
    const forged = { ...fields, after: { step: 'forged' } }
    const forgedHash = chainHash(prev_hash, forged)

    await tamper(
      sql`update audit_log set after = ${JSON.stringify(forged.after)}::jsonb, hash = ${forgedHash} where seq = 2`,
    )

    expect(await verifyAuditChain(t.db)).toEqual({
      ok: false,
      checked: 2,
      seq: 3,
      reason: 'prev_hash does not match the previous row',
    })
  })
})

describe('listAuditEntries', () => {
  const tenantId = crypto.randomUUID()
  const otherTenantId = crypto.randomUUID()

  beforeAll(async () => {
    await t.db
      .insertInto('tenants')
      .values({
        id: tenantId,
        slug: `acme-${tenantId.slice(0, 8)}`,
        name: 'Acme',
        status: 'active',
        plan_id: 'free',
        billing_email: 'billing@acme.test',
        first_admin_email: 'owner@acme.test',
        first_admin_name: 'Owner',
        created_at: T0,
        updated_at: T0,
      })
      .execute()
  })

  /** seq 1..5: two days, two actors, two tenants, three actions. */
  async function appendSample(): Promise<void> {
    const day = (d: number, h: number) => new Date(Date.UTC(2026, 2, d, h))
    await append({ action: 'tenant.create', tenantId }, { actor: ada }, day(1, 9))
    await append({ action: 'tenant.suspend', tenantId }, { actor: grace }, day(1, 15))
    await append({ action: 'tenant.create', tenantId: otherTenantId }, { actor: ada }, day(2, 9))
    await append({ action: 'admin.invite' }, { actor: grace }, day(2, 10))
    await append({ action: 'tenant.create', tenantId }, { actor: grace }, day(3, 9))
  }

  async function seqs(filter: Parameters<typeof listAuditEntries>[2]): Promise<number[]> {
    return (await listAuditEntries(t.db, ALL_TENANTS, filter)).map((e) => e.seq)
  }

  it('lists every entry newest first with the tenant slug joined', async () => {
    await appendSample()

    const entries = await listAuditEntries(t.db, ALL_TENANTS, {})

    expect(entries.map((e) => e.seq)).toEqual([5, 4, 3, 2, 1])
    expect(entries.map((e) => e.tenant_slug)).toEqual([
      `acme-${tenantId.slice(0, 8)}`,
      null,
      null,
      `acme-${tenantId.slice(0, 8)}`,
      `acme-${tenantId.slice(0, 8)}`,
    ])
  })

  it('filters by action', async () => {
    await appendSample()

    expect(await seqs({ action: 'tenant.create' })).toEqual([5, 3, 1])
    expect(await seqs({ action: 'tenant.delete' })).toEqual([])
  })

  it('filters by tenant', async () => {
    await appendSample()

    expect(await seqs({ tenantId })).toEqual([5, 2, 1])
    expect(await seqs({ tenantId: otherTenantId })).toEqual([3])
  })

  it('filters by actor', async () => {
    await appendSample()

    expect(await seqs({ actorId: grace.id })).toEqual([5, 4, 2])
    expect(await seqs({ actorId: ada.id })).toEqual([3, 1])
  })

  it('filters by a date range that includes from and excludes to', async () => {
    await appendSample()

    expect(await seqs({ from: new Date(Date.UTC(2026, 2, 2)) })).toEqual([5, 4, 3])
    expect(await seqs({ to: new Date(Date.UTC(2026, 2, 2)) })).toEqual([2, 1])
    expect(
      await seqs({
        from: new Date(Date.UTC(2026, 2, 1, 15)),
        to: new Date(Date.UTC(2026, 2, 2, 10)),
      }),
    ).toEqual([3, 2])
  })

  it('pages with beforeSeq and limit', async () => {
    await appendSample()

    expect(await seqs({ limit: 2 })).toEqual([5, 4])
    expect(await seqs({ beforeSeq: 4, limit: 2 })).toEqual([3, 2])
    expect(await seqs({ beforeSeq: 2, limit: 2 })).toEqual([1])
  })

  it('combines filters', async () => {
    await appendSample()

    expect(await seqs({ action: 'tenant.create', actorId: ada.id, tenantId })).toEqual([1])
    expect(
      await seqs({ actorId: grace.id, from: new Date(Date.UTC(2026, 2, 2)), beforeSeq: 5 }),
    ).toEqual([4])
  })

  it('returns 50 entries unless told otherwise', async () => {
    await t.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 55; i++)
        await appendAuditEntry(trx, { actor: ada }, { action: 'bulk' }, T0)
    })

    const entries = await listAuditEntries(t.db, ALL_TENANTS, {})

    expect(entries).toHaveLength(50)
    expect(entries[0].seq).toBe(55)
    expect(entries[49].seq).toBe(6)
  })
})
