import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.js'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-config-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, () => {})
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(
      { FLEETDECK_SECRET_KEY: 'k'.repeat(32), FLEETDECK_DATA_DIR: tempDir() },
      () => {},
    )
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      publicUrl: 'http://127.0.0.1:3000',
      secureCookies: false,
      sessionIdleSeconds: 30 * 60,
      sessionAbsoluteSeconds: 12 * 3600,
    })
  })

  it('reports one line per bad value and names each variable', () => {
    const problems = problemsOf({
      PORT: '70000',
      DATABASE_URL: 'mysql://x',
      SESSION_IDLE_MINUTES: 'soon',
      PUBLIC_URL: 'ftp://example.com',
      FLEETDECK_SECRET_KEY: 'short',
    })
    expect(problems).toHaveLength(5)
    for (const name of [
      'PORT',
      'DATABASE_URL',
      'SESSION_IDLE_MINUTES',
      'PUBLIC_URL',
      'FLEETDECK_SECRET_KEY',
    ]) {
      expect(problems.some((line) => line.startsWith(`${name}:`))).toBe(true)
    }
  })

  it('requires FLEETDECK_SECRET_KEY and an https PUBLIC_URL in production', () => {
    expect(problemsOf({ NODE_ENV: 'production', FLEETDECK_DATA_DIR: tempDir() })).toEqual([
      'FLEETDECK_SECRET_KEY: is required when NODE_ENV=production',
      'PUBLIC_URL: must be an https:// URL when NODE_ENV=production',
    ])
    expect(
      problemsOf({
        NODE_ENV: 'production',
        FLEETDECK_SECRET_KEY: 'k'.repeat(32),
        PUBLIC_URL: 'http://admin.example.com',
      }),
    ).toEqual(['PUBLIC_URL: must be an https:// URL when NODE_ENV=production'])
    expect(
      problemsOf({
        NODE_ENV: 'production',
        FLEETDECK_SECRET_KEY: 'k'.repeat(32),
        PUBLIC_URL: 'https://admin.example.com',
      }),
    ).toEqual([])
  })

  it('refuses the demo webhook secret in production, where anyone could sign events with it', () => {
    const production = {
      NODE_ENV: 'production',
      FLEETDECK_SECRET_KEY: 'k'.repeat(32),
      PUBLIC_URL: 'https://admin.example.com',
    }
    const demo = 'whsec_fleetdeck_demo_development_only'
    expect(problemsOf({ ...production, STRIPE_WEBHOOK_SECRET: demo })).toEqual([
      'STRIPE_WEBHOOK_SECRET: is the public demo secret; use the endpoint secret from Stripe in production',
    ])
    expect(problemsOf({ ...production, STRIPE_WEBHOOK_SECRET: 'whsec_' + 'a'.repeat(32) })).toEqual(
      [],
    )
    expect(problemsOf({ FLEETDECK_DATA_DIR: tempDir(), STRIPE_WEBHOOK_SECRET: demo })).toEqual([])
  })

  it('generates a development key once into the data dir and reuses it, with a warning', () => {
    const dir = tempDir()
    const warnings: string[] = []
    const first = loadConfig({ FLEETDECK_DATA_DIR: dir }, (line) => warnings.push(line))
    const second = loadConfig({ FLEETDECK_DATA_DIR: dir }, (line) => warnings.push(line))
    expect(first.secretKey.length).toBeGreaterThanOrEqual(32)
    expect(second.secretKey).toBe(first.secretKey)
    expect(readFileSync(join(dir, 'secret.key'), 'utf8').trim()).toBe(first.secretKey)
    expect(warnings).toHaveLength(1)
  })

  it('turns on secure cookies for an https PUBLIC_URL and drops its trailing slash', () => {
    const config = loadConfig(
      {
        FLEETDECK_SECRET_KEY: 'k'.repeat(32),
        FLEETDECK_DATA_DIR: tempDir(),
        PUBLIC_URL: 'https://admin.example.com/',
      },
      () => {},
    )
    expect(config.secureCookies).toBe(true)
    expect(config.publicUrl).toBe('https://admin.example.com')
  })

  it('refuses an interval a Node timer cannot hold, instead of firing it every millisecond', () => {
    // 35,792 minutes is past 2^31 - 1 ms: setInterval would clamp it to 1 ms.
    expect(
      problemsOf({ STORAGE_SNAPSHOT_MINUTES: '35792', FLEETDECK_DATA_DIR: tempDir() }),
    ).toEqual([
      'STORAGE_SNAPSHOT_MINUTES: must be between 1 and 35791 minutes (a longer interval overflows the timer)',
    ])
    const config = loadConfig(
      {
        FLEETDECK_SECRET_KEY: 'k'.repeat(32),
        FLEETDECK_DATA_DIR: tempDir(),
        STORAGE_SNAPSHOT_MINUTES: '35791',
      },
      () => {},
    )
    expect(config.storageSnapshotSeconds * 1000).toBeLessThanOrEqual(2 ** 31 - 1)
  })

  it('gives every interval and limit setting a range with its unit', () => {
    const problems = problemsOf({
      SESSION_IDLE_MINUTES: '0',
      SESSION_ABSOLUTE_HOURS: '100000',
      STORAGE_SNAPSHOT_MINUTES: '1.5',
      DATABASE_QUEUE_LIMIT: '-3',
      FLEETDECK_DATA_DIR: tempDir(),
    })
    expect(problems).toEqual([
      'SESSION_IDLE_MINUTES: must be between 1 and 1440 minutes',
      'SESSION_ABSOLUTE_HOURS: must be between 1 and 720 hours',
      'STORAGE_SNAPSHOT_MINUTES: must be a whole number of minutes',
      'DATABASE_QUEUE_LIMIT: must be between 1 and 10000 requests',
    ])
  })

  it('bounds the embedded database queue at 64 waiting requests unless told otherwise', () => {
    const env = { FLEETDECK_SECRET_KEY: 'k'.repeat(32), FLEETDECK_DATA_DIR: tempDir() }
    expect(loadConfig(env, () => {}).databaseQueueLimit).toBe(64)
    expect(loadConfig({ ...env, DATABASE_QUEUE_LIMIT: '8' }, () => {}).databaseQueueLimit).toBe(8)
  })

  it('reads TENANT_MIGRATION_DIRS as absolute folders, relative to the working directory', () => {
    const env = { FLEETDECK_SECRET_KEY: 'k'.repeat(32), FLEETDECK_DATA_DIR: tempDir() }
    const extra = tempDir()
    expect(loadConfig(env, () => {}).tenantMigrationDirs).toEqual([])
    const config = loadConfig(
      { ...env, TENANT_MIGRATION_DIRS: ` examples/tenant-app/migrations , ${extra},` },
      () => {},
    )
    expect(config.tenantMigrationDirs).toEqual([
      join(process.cwd(), 'examples/tenant-app/migrations'),
      extra,
    ])
  })

  it('refuses a tenant migration folder that does not exist, naming it', () => {
    const problems = problemsOf({
      FLEETDECK_SECRET_KEY: 'k'.repeat(32),
      FLEETDECK_DATA_DIR: tempDir(),
      TENANT_MIGRATION_DIRS: 'no/such/migrations',
    })
    expect(problems).toEqual([
      `TENANT_MIGRATION_DIRS: no such folder: ${join(process.cwd(), 'no/such/migrations')}`,
    ])
  })

  it('refuses a migration file name that is in two folders, in one line naming both', () => {
    const [a, b] = [tempDir(), tempDir()]
    for (const dir of [a, b]) writeFileSync(join(dir, '2030010100_same.ts'), 'export {}\n')
    const problems = problemsOf({
      FLEETDECK_SECRET_KEY: 'k'.repeat(32),
      FLEETDECK_DATA_DIR: tempDir(),
      TENANT_MIGRATION_DIRS: `${a},${b}`,
    })
    expect(problems).toEqual([
      `TENANT_MIGRATION_DIRS: tenant migration 2030010100_same is in two folders (${a} and ${b}): rename one`,
    ])
  })

  it('refuses an extra folder that repeats a name of migrations/tenant', () => {
    const dir = tempDir()
    writeFileSync(join(dir, '2026112100_baseline.ts'), 'export {}\n')
    const problems = problemsOf({
      FLEETDECK_SECRET_KEY: 'k'.repeat(32),
      FLEETDECK_DATA_DIR: tempDir(),
      TENANT_MIGRATION_DIRS: dir,
    })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(
      /^TENANT_MIGRATION_DIRS: tenant migration 2026112100_baseline is in two folders \(.*migrations\/tenant and /,
    )
  })
})
