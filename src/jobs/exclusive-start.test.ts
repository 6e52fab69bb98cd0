import { afterAll, describe, expect, it } from 'vitest'
import { startFleetBackup } from '../fleet/backup-job.js'
import { startMigrationRun } from '../fleet/migration-runs.js'
import { auditEntries } from '../test-support/database-state.js'
import { createTenant } from '../test-support/factories.js'
import { cookieOfRole } from '../test-support/plan-scenes.js'
import { send } from '../test-support/requests.js'
import { ADD_COLUMN_AND_INDEX, tenantMigrationFolder } from '../test-support/tenant-migrations.js'
import { useTestApp } from '../test-support/test-app.js'
import type { JobKind } from './job-kinds.js'
import { startExclusiveRun } from './start-run.js'

// Manual starts of one-at-a-time runs take the kind's advisory lock (review finding 3 of issue
// 11): two clicks or two instances starting at once get ONE run, the second sees it.

const t = useTestApp()
const folder = tenantMigrationFolder({ '2030010100_checksum': ADD_COLUMN_AND_INDEX })
afterAll(() => folder.remove())

async function runsOf(kind: JobKind) {
  return t.db.selectFrom('job_runs').select(['id', 'created_by']).where('kind', '=', kind).execute()
}

describe('starting a one-at-a-time run twice at once', () => {
  it('two health check clicks start one run, the second is told it is already running', async () => {
    const cookie = await cookieOfRole(t.db, t.config, 'operator', new Date(t.clock.now()))
    const post = () => send(t.app, 'POST', '/fleet/checks', { fields: {}, cookie })

    const [a, b] = await Promise.all([post(), post()])

    const runs = await runsOf('health_check')
    expect(runs).toHaveLength(1)
    expect(runs[0].created_by).not.toBeNull()
    expect([a.headers.get('location'), b.headers.get('location')]).toEqual([
      `/jobs/${runs[0].id}`,
      `/jobs/${runs[0].id}`,
    ])
  })

  it('two fleet backups started at once make one run, both callers get it', async () => {
    await createTenant(t.db)
    const [a, b] = await Promise.all([
      startFleetBackup(t.db, { actor: null }),
      startFleetBackup(t.db, { actor: null }),
    ])
    expect(a.id).toBe(b.id)
    expect(await runsOf('backup')).toHaveLength(1)
  })

  it('two fleet migrations started at once: one runs, the other is refused', async () => {
    await createTenant(t.db)
    const options = { migrationDirs: [folder.dir], via: 'console' as const }
    const request = { mode: 'run', concurrency: 2, stopAfterFailures: null } as const
    const start = () => startMigrationRun(t.database, { actor: null }, request, options)

    const results = await Promise.all([start(), start()])

    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.find((r) => !r.ok)).toMatchObject({ reason: /is still running/ })
    expect(await runsOf('tenant_migration')).toHaveLength(1)
  })

  it('startExclusiveRun returns the open run and audits only the start it made', async () => {
    const spec = {
      ...{ kind: 'purge' as const, label: 'Purge', params: {}, concurrency: 1 },
      ...{ stopAfterFailures: null, items: [{ tenantId: null, target: 'fleet' }] },
    }
    const [a, b] = await Promise.all([
      startExclusiveRun(t.db, { actor: null }, spec),
      startExclusiveRun(t.db, { actor: null }, spec),
    ])
    expect([a.started, b.started].sort()).toEqual([false, true])
    expect(a.run.id).toBe(b.run.id)
    const starts = (await auditEntries(t.db, 'job.start')).filter((e) => e.target_id === a.run.id)
    expect(starts).toHaveLength(1)
  })
})
