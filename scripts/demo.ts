import { createHmac } from 'node:crypto'
import { resolve } from 'node:path'
import { serve } from '@hono/node-server'
import { createKit } from '@fleetdeck/kit'
import { createExampleApp } from '../examples/tenant-app/src/app.js'
import { connectFlags } from '../examples/tenant-app/src/flags.js'
import {
  boardOf,
  findPasswordHash,
  insertNote,
  saveCredentials,
} from '../examples/tenant-app/src/board-db.js'
import { hashPassword } from '../examples/tenant-app/src/passwords.js'
import { ConfigError, loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/database.js'
import { migrateTenant } from '../src/db/migrate.js'
import { tenantSchemaName } from '../src/db/tenant-schema.js'
import { seedDemoBilling } from '../src/demo/demo-billing.js'
import { listDemoFleetTenants } from '../src/db/demo-billing.js'
import { SEED_REQUEST_ID } from '../src/demo/demo-fleet.js'
import { ensureDemoFlags } from '../src/demo/demo-flags.js'
import {
  ACME_PEOPLE,
  DEMO_SLUG,
  ensureDemoFleet,
  issueDemoAppKey,
} from '../src/demo/demo-workspace.js'
import { startFleetdeck } from '../src/start.js'
import { ensureAssets } from '../src/web/asset-build.js'

// npm run demo: Fleetdeck and the example tenant app (examples/tenant-app) side by side in one
// process on one embedded database (FLEETDECK_DATA_DIR, default ./data-demo); the app gets a
// Kysely on the same handle and its app key in-process. First run: a small demo fleet with Acme,
// whose members sign in with DEMO_PASSWORD. Later runs reuse the data. APP_PORT (default 3001)
// moves the app; PORT, HOST and the other settings are Fleetdeck's own.

const DEMO_PASSWORD = 'acme demo password'
const EXAMPLE_MIGRATIONS = 'examples/tenant-app/migrations'

function demoConfig() {
  if (process.env.DATABASE_URL)
    console.log('npm run demo uses the embedded database: DATABASE_URL is ignored')
  const dirs = (process.env.TENANT_MIGRATION_DIRS ?? '').split(',').filter(Boolean)
  if (!dirs.some((dir) => resolve(dir) === resolve(EXAMPLE_MIGRATIONS)))
    dirs.push(EXAMPLE_MIGRATIONS)
  try {
    return loadConfig({
      ...process.env,
      DATABASE_URL: undefined,
      FLEETDECK_DATA_DIR: process.env.FLEETDECK_DATA_DIR || './data-demo',
      TENANT_MIGRATION_DIRS: dirs.join(','),
    })
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    for (const problem of error.problems) console.error(`config: ${problem}`)
    process.exit(1)
  }
}

const started = Date.now()
const config = demoConfig()
if (ensureAssets()) console.log('assets built')
const database = await openDatabase({
  url: undefined,
  dataDir: config.dataDir,
  shareWithClis: { publicUrl: config.publicUrl },
})
const fleetdeck = await startFleetdeck(config, database, { startedAt: started })

const appPort = Number(process.env.APP_PORT ?? 3001)
const appUrl = `http://${config.host}:${appPort}`
const { created } = await ensureDemoFleet(database, config.tenantMigrationDirs)
if (created) console.log('demo fleet created: 12 tenants, among them Acme')
if (created) {
  // A year of Stripe history, signed with the development secret, through /webhooks/stripe.
  const fleet = await listDemoFleetTenants(database.db, [SEED_REQUEST_ID, 'demo'])
  const billing = await seedDemoBilling(database, fleet, { config })
  console.log(`demo billing: ${billing.events} Stripe events for ${billing.customers} customers`)
}
// A demo made by an earlier version lacks the app's newer tables (Drawings) in Acme's schema.
await migrateTenant(database.db, tenantSchemaName(DEMO_SLUG), config.tenantMigrationDirs)
const flagsCreated = await ensureDemoFlags(database.db)
if (flagsCreated.length) console.log(`demo flags created: ${flagsCreated.join(', ')}`)
await seedAcmeBoard(created)
const appKey = await issueDemoAppKey(database, appUrl)
const kit = createKit({ fleetdeckUrl: config.publicUrl, appKey, appUrl })
const exampleApp = createExampleApp({
  kit,
  // OpenFeature's server SDK with the OFREP provider, pointed at Fleetdeck with the same app key.
  flags: await connectFlags({ fleetdeckUrl: config.publicUrl, appKey }),
  db: database.db,
  // Derived from Fleetdeck's secret key: sessions survive a restart of the demo.
  cookieSecret: createHmac('sha256', config.secretKey)
    .update('example-tenant-app')
    .digest('base64url'),
})
const appServer = serve({ fetch: exampleApp.fetch, port: appPort, hostname: config.host })

console.log(`
Fleetdeck (the console)        ${fleetdeck.url}
Example tenant app (Acme)      ${appUrl}/t/${DEMO_SLUG}/
${fleetdeck.setupLink ? `\nFirst operator: open the one-time setup link above (valid 1 hour).\n` : ''}
Sign in to Acme as its owner:  ${ACME_PEOPLE[0].email} / ${DEMO_PASSWORD}
Other Acme members:            ${ACME_PEOPLE.slice(1)
  .map((p) => p.email)
  .join(', ')} (same password)
Flags: drawings-beta (off; turn it on for Acme on its tenant page to see Drawings in the app),
board-export (Professional and Enterprise; Acme is on Free, so no Export until its plan changes).
Data in ${config.dataDir}: a second run reuses it. Ctrl-C stops both.
`)

/** Credentials for Acme's members (kept when there) and, on first run, a few notes on its board. */
async function seedAcmeBoard(firstRun: boolean) {
  const board = boardOf(database.db, DEMO_SLUG)
  const hash = await hashPassword(DEMO_PASSWORD)
  for (const person of ACME_PEOPLE)
    if (!(await findPasswordHash(board, person.email)))
      await saveCredentials(board, person.email, hash)
  if (!firstRun) return
  await insertNote(board, 'Welcome to the Acme board. Add a note below.', ACME_PEOPLE[0].email)
  await insertNote(board, 'Quarterly review moved to Thursday.', ACME_PEOPLE[1].email)
}

async function shutdown(signal: string) {
  console.log(`${signal}: shutting down`)
  appServer.close()
  await fleetdeck.stop()
  await database.close()
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
