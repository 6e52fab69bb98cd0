import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../src/config.js'
import { openCliDatabase } from '../src/db/cli-database.js'
import { migratePlatform } from '../src/db/migrate.js'
import { seedDemoBilling } from '../src/demo/demo-billing.js'
import { listDemoFleetTenants } from '../src/db/demo-billing.js'
import { SEED_REQUEST_ID, seedDemoFleet } from '../src/demo/demo-fleet.js'

// npm run seed -- --tenants N --users M
// Adds a demo fleet through the onboarding pipeline, then M users with their memberships and
// sign-in history in bulk (streamed: --users 1000000 fits in a few hundred MB); running it again
// adds more tenants, and first resumes the tenants an interrupted earlier run left onboarding.
// Then the seed's tenants without billing get a year of Stripe history, signed with the
// development secret and delivered through /webhooks/stripe (src/demo/demo-billing.ts).

const PROGRESS_EVERY = 100
const USERS_PROGRESS_EVERY = 100_000

function parseCount(value: string, flag: string, min: number): number {
  const count = Number(value.replace(/[_,]/g, ''))
  if (!Number.isInteger(count) || count < min) {
    throw new Error(`--${flag} must be a whole number ≥ ${min}, got "${value}"`)
  }
  return count
}

async function main() {
  const { values } = parseArgs({
    options: {
      tenants: { type: 'string', default: '50' },
      users: { type: 'string', default: '2000' },
    },
    strict: true,
  })
  const tenants = parseCount(values.tenants, 'tenants', 0)
  const users = parseCount(values.users, 'users', 1)
  const config = loadConfig()
  // Through the running server when it holds the embedded database.
  const { database: handle } = await openCliDatabase(config, { poolSize: 8 })
  try {
    await migratePlatform(handle.db)
    console.log(`seeding ${tenants} tenants and a pool of ${users} users on ${handle.kind}…`)
    const started = performance.now()
    const summary = await seedDemoFleet(handle, {
      tenants,
      users,
      joinRequests: true,
      tenantMigrationDirs: config.tenantMigrationDirs,
      onProgress(done, total) {
        if (done % PROGRESS_EVERY !== 0 && done !== total) return
        const seconds = (performance.now() - started) / 1000
        console.log(`  ${done}/${total} tenants, ${seconds.toFixed(1)} s`)
      },
      onUsersProgress(done, total) {
        if (done % USERS_PROGRESS_EVERY !== 0 && done !== total) return
        const seconds = (performance.now() - started) / 1000
        console.log(`  ${done}/${total} users, ${seconds.toFixed(1)} s`)
      },
    })
    if (summary.tenantsResumed > 0)
      console.log(`resumed ${summary.tenantsResumed} tenants an interrupted seed left onboarding`)
    if (summary.tenantsLeased > 0)
      console.log(
        `${summary.tenantsLeased} tenants of an earlier seed may still be onboarding; ` +
          `run the seed again after ${summary.resumableAt?.toISOString()} to resume them`,
      )
    console.log(
      [
        `batch ${summary.batchId}`,
        `tenants created: ${summary.tenantsCreated} (${summary.tenantsSuspended} suspended)`,
        `users: ${summary.usersCreated} new, ${summary.usersInPool} in the pool`,
        `memberships: ${summary.memberships}`,
        `sign-ins: ${summary.signIns}`,
        `join requests: ${summary.joinRequests.pending} pending, ${summary.joinRequests.approved} approved, ${summary.joinRequests.denied} denied`,
        `attachments: ${summary.attachments}`,
        `elapsed: ${summary.totalSeconds.toFixed(1)} s` +
          ` (pipeline ${summary.pipelineSeconds.toFixed(1)} s,` +
          ` ${summary.tenantsPerSecond.toFixed(2)} tenants/s;` +
          ` users ${summary.usersSeconds.toFixed(1)} s)`,
      ].join('\n'),
    )
    const fleet = await listDemoFleetTenants(handle.db, [SEED_REQUEST_ID])
    console.log(`delivering demo billing for the seed's tenants through /webhooks/stripe…`)
    const billing = await seedDemoBilling(handle, fleet, { config })
    console.log(
      `billing: ${billing.events} events for ${billing.customers} customers delivered in ` +
        `${billing.seconds.toFixed(1)} s (${billing.tenantsSkipped} tenants had billing already` +
        `${billing.failed > 0 ? `; ${billing.failed} failed to process, see npm run billing:reprocess` : ''})`,
    )
  } finally {
    await handle.close()
  }
}

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigError ? error.problems.join('; ') : ((error as Error)?.message ?? error)
  console.error(`seed failed: ${String(message).replace(/\s*\n\s*/g, ' ')}`)
  process.exitCode = 1
})
