import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runScript } from '../../test-support/processes.js'

// `npm run fleet -- migrate` as a process: the entry in scripts/fleet.ts and its exit codes.
// On a fresh embedded data directory (the default database), whatever TEST_DATABASE_URL says.

const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-migrate-cli-'))
const env = { FLEETDECK_DATA_DIR: dataDir, FLEETDECK_SECRET_KEY: 'm'.repeat(40) }
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe('npm run fleet -- migrate (process)', () => {
  it('--dry-run on an empty fleet prints the report and exits 0', async () => {
    const run = await runScript('fleet', ['migrate', '--dry-run'], env)

    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Dry-run: nothing is changed.')
    expect(run.stdout).toContain('0 tenants behind, 0 up to date.')
  }, 90_000)

  it('an unknown option exits 2 with the usage; a run with nothing pending exits 0', async () => {
    const bad = await runScript('fleet', ['migrate', '--everything'], env)
    const none = await runScript('fleet', ['migrate'], env)

    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('usage: npm run fleet -- migrate [--dry-run]')
    expect(none.code).toBe(0)
    expect(none.stdout).toContain('Nothing was started: No tenant has a pending migration.')
  }, 90_000)
})
