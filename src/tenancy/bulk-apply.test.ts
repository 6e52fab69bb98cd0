import { describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../db/audit-log.js'
import { auditEntries } from '../test-support/database-state.js'
import { createTenant, uniqueSuffix } from '../test-support/factories.js'
import { getPage, postForm } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'
import { applyBatch, continueBatch } from './bulk-apply.js'
import { filterQuery } from './bulk-filter.js'
import { rollBackBatch } from './bulk-rollback.js'

// Large batches (issue 9 item 4): above the single-transaction limit the items are written
// pending and applied in chunks, each atomic; a batch cut short (a killed server, stood in for by
// `maxChunks`) continues from the batch page, and its rollback runs in chunks the same way.

const t = useTestApp()
const small = { singleLimit: 2, chunkSize: 2 }

async function scene(n: number) {
  const marker = `chunk${uniqueSuffix()}`
  const ids: string[] = []
  for (let i = 0; i < n; i++) ids.push((await createTenant(t.db, { name: `${marker} ${i}` })).id)
  const { owner } = await t.signedInOwner()
  const context = { actor: { id: owner.admin.id, email: owner.admin.email } }
  const request = {
    change: { kind: 'plan_change' as const, planId: 'professional' },
    filter: filterQuery.parse({ q: marker }),
    scope: {},
    previewedCount: n,
    acceptedDrift: 0,
  }
  return { ids, context, request }
}

async function outcomes(batchId: string) {
  const rows = await t.db
    .selectFrom('bulk_batch_items')
    .select(['outcome', 'rollback_outcome'])
    .where('batch_id', '=', batchId)
    .execute()
  return rows.map((r) => `${r.outcome}/${r.rollback_outcome ?? '-'}`).sort()
}

async function plans(ids: string[]) {
  const rows = await t.db.selectFrom('tenants').select('plan_id').where('id', 'in', ids).execute()
  return rows.map((r) => r.plan_id).sort()
}

describe('a batch above the single-transaction limit', () => {
  it('stops between chunks with whole tenants only, and Continue on its page finishes it', async () => {
    const { ids, context, request } = await scene(5)
    const now = new Date(t.clock.now())

    const started = await applyBatch(t.db, context, request, now, { ...small, maxChunks: 1 })

    expect(started).toMatchObject({ ok: true, status: 'applying' })
    const batchId = (started as { batchId: string }).batchId
    expect(await outcomes(batchId)).toEqual([
      'applied/-',
      'applied/-',
      'pending/-',
      'pending/-',
      'pending/-',
    ])
    expect(await plans(ids)).toEqual(['free', 'free', 'free', 'professional', 'professional'])
    expect(
      await auditEntries(t.db, 'batch.apply').then((e) => e.filter((x) => x.target_id === batchId)),
    ).toEqual([])

    const { cookie } = await t.signedInOwner()
    const page = await (await getPage(t.app, `/batches/${batchId}`, cookie)).text()
    expect(page).toContain('Continue applying')
    const res = await postForm(t.app, `/batches/${batchId}/continuation`, {}, cookie)

    expect(res.status).toBe(303)
    expect(await plans(ids)).toEqual(Array(5).fill('professional'))
    const batch = await t.db
      .selectFrom('bulk_batches')
      .selectAll()
      .where('id', '=', batchId)
      .executeTakeFirstOrThrow()
    expect(batch.status).toBe('applied')
    const changes = (await auditEntries(t.db, 'tenant.plan_change')).filter(
      (e) => e.batch_id === batchId,
    )
    expect(changes).toHaveLength(5)
    expect((await verifyAuditChain(t.db)).ok).toBe(true)

    // A batch that is not applying has nothing to continue.
    expect(await continueBatch(t.db, context, batchId, now)).toEqual({
      ok: false,
      reason: 'not_applying',
    })
  })

  it('skips a pending tenant changed elsewhere before its chunk: it no longer matches the filter', async () => {
    const { ids, context, request } = await scene(4)
    const onFree = { ...request, filter: filterQuery.parse({ ...request.filter, plan: 'free' }) }
    const now = new Date(t.clock.now())
    const started = await applyBatch(t.db, context, onFree, now, { ...small, maxChunks: 1 })
    const batchId = (started as { batchId: string }).batchId
    // Sales moves a tenant the first chunk left pending to Enterprise meanwhile (chunks follow
    // the tenants' ids, not the order the scene made them in).
    const { tenant_id: last } = await t.db
      .selectFrom('bulk_batch_items')
      .select('tenant_id')
      .where('batch_id', '=', batchId)
      .where('outcome', '=', 'pending')
      .orderBy('tenant_id', 'desc')
      .executeTakeFirstOrThrow()
    await t.db
      .updateTable('tenants')
      .set({ plan_id: 'enterprise' })
      .where('id', '=', last)
      .execute()

    expect(await continueBatch(t.db, context, batchId, now, small)).toMatchObject({
      ok: true,
      status: 'applied',
    })

    expect(await plans([last])).toEqual(['enterprise'])
    expect(await plans(ids.filter((id) => id !== last))).toEqual([
      'professional',
      'professional',
      'professional',
    ])
    const item = await t.db
      .selectFrom('bulk_batch_items')
      .select(['outcome', 'note'])
      .where('batch_id', '=', batchId)
      .where('tenant_id', '=', last)
      .executeTakeFirstOrThrow()
    expect(item).toEqual({ outcome: 'skipped', note: 'no longer matches the filter' })
  })

  it('rolls back in chunks: a rollback cut short is rolling_back and finishes when asked again', async () => {
    const { ids, context, request } = await scene(3)
    const now = new Date(t.clock.now())
    const applied = await applyBatch(t.db, context, request, now, small)
    const batchId = (applied as { batchId: string }).batchId
    expect(applied).toMatchObject({ ok: true, status: 'applied' })

    const first = await rollBackBatch(t.db, context, batchId, now, { ...small, maxChunks: 1 })
    expect(first).toMatchObject({ ok: true, status: 'rolling_back' })
    expect(await plans(ids)).toEqual(['free', 'free', 'professional'])

    const rest = await rollBackBatch(t.db, context, batchId, now, small)
    expect(rest).toMatchObject({ ok: true, status: 'rolled_back' })
    expect((rest as { rollbackBatchId: string }).rollbackBatchId).toBe(
      (first as { rollbackBatchId: string }).rollbackBatchId,
    )
    expect(await plans(ids)).toEqual(['free', 'free', 'free'])
    expect(await outcomes(batchId)).toEqual(Array(3).fill('applied/restored'))
    expect(await rollBackBatch(t.db, context, batchId, now)).toEqual({
      ok: false,
      reason: 'already_rolled_back',
    })
    const rollbacks = (await auditEntries(t.db, 'batch.rollback')).filter(
      (e) => e.target_id === batchId,
    )
    expect(rollbacks).toHaveLength(1)
  })

  it('refuses a plan that is archived before anything is written', async () => {
    const { context, request } = await scene(1)
    const id = `arch${uniqueSuffix()}`.slice(0, 20)
    await t.db
      .insertInto('plans')
      .values({
        id,
        name: 'Archived',
        price_cents_monthly: 0,
        sort_order: 8,
        archived_at: new Date(),
      } as never)
      .execute()
    const before = (await t.db.selectFrom('bulk_batches').select('id').execute()).length
    const result = await applyBatch(
      t.db,
      context,
      { ...request, change: { kind: 'plan_change', planId: id } },
      new Date(),
    )
    expect(result).toEqual({ ok: false, reason: 'plan_archived' })
    expect((await t.db.selectFrom('bulk_batches').select('id').execute()).length).toBe(before)
  })
})
