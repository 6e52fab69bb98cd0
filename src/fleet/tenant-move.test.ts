import { describe, expect, it } from 'vitest'
import { findJobRun, toJobItem } from '../db/job-runs.js'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { drainJobRun } from '../jobs/runner.js'
import { auditEntries } from '../test-support/database-state.js'
import { fakeCitus, NODE_A, NODE_B } from '../test-support/fake-citus.js'
import { createTenant } from '../test-support/factories.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { parseNode, startTenantMove } from './tenant-move.js'
import { tenantMoveHandlerWith } from './tenant-move-job.js'

/** The suite runs on a Citus coordinator too (TEST_CITUS_WORKERS): off-Citus answers differ there. */
const onCitus = !!process.env.TEST_CITUS_WORKERS

// Moving a tenant to another Citus node (issue 13 item 5) on the test databases, which have no
// Citus: the real functions answer no_citus; the rest runs against a fake cluster in memory.
// The real move between two workers: placement.citus.test.ts.

const t = useTestDatabase()
const context = { actor: null, requestId: 'test' }

const openMoves = () =>
  t.db.selectFrom('job_runs').select('id').where('kind', '=', 'tenant_move').execute()

async function placedTenant(citus: ReturnType<typeof fakeCitus>) {
  const tenant = await createTenant(t.db)
  const schema = tenantSchemaName(tenant.slug)
  citus.place(schema, NODE_A)
  return { tenant, schema }
}

describe('startTenantMove', () => {
  it.skipIf(onCitus)('refuses no_citus off Citus and starts nothing', async () => {
    const tenant = await createTenant(t.db)
    expect(await startTenantMove(t.db, context, tenant.id, NODE_B)).toEqual({
      ok: false,
      reason: 'no_citus',
    })
    expect(await openMoves()).toEqual([])
    expect(await auditEntries(t.db, 'tenant.move.start')).toEqual([])
  })

  it('starts a tenant_move run of one item, audited start and job.start with it', async () => {
    const citus = fakeCitus()
    const { tenant, schema } = await placedTenant(citus)

    const result = await startTenantMove(t.db, context, tenant.id, NODE_B, { citus })

    if (!result.ok) throw new Error(result.reason)
    expect(result.run).toMatchObject({ kind: 'tenant_move', status: 'running', total: 1 })
    expect(result.run.params).toEqual({ tenantId: tenant.id, schema, from: NODE_A, to: NODE_B })
    const [start] = (await auditEntries(t.db, 'tenant.move.start')).filter(
      (e) => e.tenant_id === tenant.id,
    )
    expect(start).toMatchObject({ before: { node: NODE_A }, after: { node: NODE_B } })
    expect(start.batch_id).toBe(result.run.id)
    const jobStart = (await auditEntries(t.db, 'job.start')).filter(
      (e) => e.target_id === result.run.id,
    )
    expect(jobStart).toHaveLength(1)
  })

  it('refuses a second move of the same tenant while the first is open', async () => {
    const citus = fakeCitus()
    const { tenant } = await placedTenant(citus)
    const first = await startTenantMove(t.db, context, tenant.id, NODE_B, { citus })
    const runs = (await openMoves()).length

    const second = await startTenantMove(t.db, context, tenant.id, NODE_B, { citus })

    expect(first.ok).toBe(true)
    expect(second).toEqual({ ok: false, reason: 'move_open' })
    expect((await openMoves()).length).toBe(runs)
  })

  it('refuses an unknown tenant, a local schema, an unknown node and the node it is on', async () => {
    const citus = fakeCitus()
    const { tenant } = await placedTenant(citus)
    const local = await createTenant(t.db)
    const refusal = (id: string, node: string) =>
      startTenantMove(t.db, context, id, node, { citus }).then((r) => !r.ok && r.reason)
    expect(await refusal(crypto.randomUUID(), NODE_B)).toBe('not_found')
    expect(await refusal(local.id, NODE_B)).toBe('not_distributed')
    expect(await refusal(tenant.id, '10.9.9.9:5432')).toBe('unknown_node')
    expect(await refusal(tenant.id, NODE_A)).toBe('same_node')
  })
})

describe('the tenant_move job', () => {
  it('moves once, records storage, audits done once, and a re-run finds it done', async () => {
    const citus = fakeCitus()
    const { tenant, schema } = await placedTenant(citus)
    const started = await startTenantMove(t.db, context, tenant.id, NODE_B, { citus })
    if (!started.ok) throw new Error(started.reason)
    const handler = tenantMoveHandlerWith(citus)
    const config = testConfig()

    const run = await drainJobRun(t.database, config, started.run.id, { handlers: [handler] })

    expect(run.status).toBe('completed')
    expect(citus.moves).toEqual([{ schema, to: NODE_B, mode: 'force_logical' }])
    const row = await t.db
      .selectFrom('job_items')
      .selectAll()
      .where('run_id', '=', run.id)
      .executeTakeFirstOrThrow()
    expect(row.result).toMatchObject({ from: NODE_A, to: NODE_B, mode: 'force_logical' })
    const snapshot = await t.db
      .selectFrom('storage_snapshots')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .executeTakeFirst()
    expect(snapshot?.db_bytes).toBeGreaterThan(0)

    // The item claimed again after its process died: nothing moves twice, nothing is audited twice.
    const work = { db: t.db, database: t.database, config, run, item: toJobItem(row) }
    const again = await handler.runItem({ ...work, now: () => new Date() })

    expect(again).toMatchObject({ status: 'done', result: { mode: 'already', to: NODE_B } })
    expect(citus.moves).toHaveLength(1)
    const done = (await auditEntries(t.db, 'tenant.move.done')).filter((e) => e.batch_id === run.id)
    expect(done).toHaveLength(1)
    expect(done[0]).toMatchObject({
      actor_id: null,
      tenant_id: tenant.id,
      before: { node: NODE_A },
    })
    expect(done[0].after).toMatchObject({ node: NODE_B, mode: 'force_logical' })
    expect((await findJobRun(t.db, run.id))?.status).toBe('completed')
  })

  it('audits a failed move as tenant.move.failed and fails the item', async () => {
    const citus = fakeCitus()
    const { tenant } = await placedTenant(citus)
    citus.moveTenantSchema = async () => {
      throw new Error('could not connect to the target node')
    }
    const started = await startTenantMove(t.db, context, tenant.id, NODE_B, { citus })
    if (!started.ok) throw new Error(started.reason)

    const handlers = [tenantMoveHandlerWith(citus)]
    const run = await drainJobRun(t.database, testConfig(), started.run.id, { handlers })

    const item = await t.db
      .selectFrom('job_items')
      .selectAll()
      .where('run_id', '=', run.id)
      .executeTakeFirstOrThrow()
    expect(item.status).toBe('failed')
    const failed = (await auditEntries(t.db, 'tenant.move.failed')).filter(
      (e) => e.batch_id === run.id,
    )
    expect(failed.length).toBeGreaterThanOrEqual(1)
    expect(failed[0]).toMatchObject({
      actor_id: null,
      tenant_id: tenant.id,
      before: { node: NODE_A },
      after: { node: NODE_B, error: 'could not connect to the target node' },
    })
    expect(await auditEntries(t.db, 'tenant.move.done')).not.toContainEqual(
      expect.objectContaining({ batch_id: run.id }),
    )
  })

  it('skips a tenant deleted since the move started', async () => {
    const citus = fakeCitus()
    const { tenant } = await placedTenant(citus)
    const started = await startTenantMove(t.db, context, tenant.id, NODE_B, { citus })
    if (!started.ok) throw new Error(started.reason)
    await t.db
      .updateTable('tenants')
      .set({ status: 'deleted' })
      .where('id', '=', tenant.id)
      .execute()

    const handlers = [tenantMoveHandlerWith(citus)]
    await drainJobRun(t.database, testConfig(), started.run.id, { handlers })

    expect(citus.moves).toEqual([])
  })
})

describe('parseNode', () => {
  it('reads host:port, the port after the last colon, and refuses the rest', () => {
    expect(parseNode('10.0.0.1:5432')).toEqual({ host: '10.0.0.1', port: 5432 })
    expect(parseNode('::1:5433')).toEqual({ host: '::1', port: 5433 })
    for (const bad of ['10.0.0.1', ':5432', 'h:0', 'h:70000', 'h:5x'])
      expect(parseNode(bad)).toBeUndefined()
  })
})
