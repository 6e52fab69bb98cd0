import { describe, expect, it } from 'vitest'
import { findJobRun } from '../db/job-runs.js'
import { drainJobRun } from '../jobs/runner.js'
import { startJobRun } from '../jobs/start-run.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { healthy, tenantWith } from './health-check-fixtures.js'
import { healthCheckRunSpec } from './health-check-job.js'
import { fleetTasks } from './periodic.js'

const t = useTestDatabase()
const config = testConfig()

describe('the health_check job', () => {
  it('runs the fleet check as one item and stores it under the run', async () => {
    const tenant = await tenantWith(t.db, healthy, { dirs: [] })
    const run = await startJobRun(t.db, { actor: null }, healthCheckRunSpec())

    const ended = await drainJobRun(t.database, config, run.id)

    expect(ended.status).toBe('completed')
    const check = await t.db
      .selectFrom('fleet_checks')
      .select(['id', 'summary'])
      .where('run_id', '=', run.id)
      .executeTakeFirstOrThrow()
    expect(check.summary).toMatchObject({ scope: 'fleet', healthy: 1 })
    const item = await t.db
      .selectFrom('job_items')
      .select(['target', 'status', 'result'])
      .where('run_id', '=', run.id)
      .executeTakeFirstOrThrow()
    expect(item).toMatchObject({ target: 'fleet', status: 'done', result: { checkId: check.id } })
    const row = await t.db.selectFrom('tenants').select('health').where('id', '=', tenant.id)
    expect((await row.executeTakeFirstOrThrow()).health).toBe('healthy')
  })

  it('the nightly task starts a run once a day, not while one is still open', async () => {
    const task = fleetTasks(t.database, config).find((x) => x.name === 'fleet-health-check')!
    expect(task.intervalMs).toBe(24 * 60 * 60 * 1000)

    const first = (await task.run()) as { id: string } | undefined
    const second = await task.run()

    expect(await findJobRun(t.db, first!.id)).toMatchObject({
      kind: 'health_check',
      status: 'running',
      total: 1,
      createdBy: null,
    })
    expect(second).toBeUndefined()
  })
})
