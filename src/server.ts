import { serve } from '@hono/node-server'
import { createEnrolmentToken, withdrawSetupLinks } from './auth/enrolment.js'
import { checkSecretKey, SecretKeyMismatchError } from './auth/key-check.js'
import { ensureActiveSigningKey } from './auth/signing-keys.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { openDatabase, type DatabaseHandle } from './db/database.js'
import { migratePlatform } from './db/migrate.js'
import { countSuperAdmins } from './db/super-admins.js'
import { createApp } from './app.js'
import { ensureAssets } from './web/asset-build.js'
import { periodicTasks } from './jobs/periodic-tasks.js'
import { createScheduler } from './jobs/scheduler.js'

const started = Date.now()

function configOrExit(): Config {
  try {
    return loadConfig()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    for (const problem of error.problems) console.error(`config: ${problem}`)
    process.exit(1)
  }
}

/** A key that cannot open the stored secrets would turn every TOTP step into a failure. */
async function checkSecretKeyOrExit(database: DatabaseHandle, config: Config): Promise<void> {
  try {
    await checkSecretKey(database.db, config.secretKey, new Date())
  } catch (error) {
    if (!(error instanceof SecretKeyMismatchError)) throw error
    console.error(error.message)
    await database.close()
    process.exit(1)
  }
}

/** When no super admin exists, a one-time link that creates the first owner (valid 1 hour). */
async function printSetupLink(database: DatabaseHandle, config: Config): Promise<void> {
  if ((await countSuperAdmins(database.db)) > 0) return
  // Only the newest link works: links printed by earlier starts are withdrawn.
  await withdrawSetupLinks(database.db)
  const token = await createEnrolmentToken(database.db, 'setup', null)
  console.log(
    `\nNo super admin exists yet. Open this one-time setup link (valid 1 hour):\n\n  ${config.publicUrl}/enrol/${token}\n`,
  )
}

const config = configOrExit()
// In this process rather than a separate `npm run assets`: a warm start skips a whole tsx start.
if (ensureAssets()) console.log('assets built')
const database = await openDatabase({
  url: config.databaseUrl,
  dataDir: config.dataDir,
  shareWithClis: { publicUrl: config.publicUrl },
})
const applied = await migratePlatform(database.db)
if (applied.length > 0) console.log(`migrations applied: ${applied.join(', ')}`)
await checkSecretKeyOrExit(database, config)
// After the key check: a key that cannot open the stored secrets must not seal a new key pair.
const signingKey = await ensureActiveSigningKey(database.db, config, new Date())
if (signingKey.created) console.log(`signing key created: ${signingKey.kid}`)
await printSetupLink(database, config)

const app = createApp({ config, database })
const scheduler = createScheduler(database.db, periodicTasks(database, config), {
  lock: database.kind === 'pglite' ? 'none' : 'advisory',
})
scheduler.start()
const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  const where = database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL'
  console.log(
    `Fleetdeck listening on http://${info.address}:${info.port} (${where}), ready in ${Date.now() - started} ms`,
  )
})

async function shutdown(signal: string) {
  console.log(`${signal}: shutting down`)
  server.close()
  await scheduler.stop()
  await database.close()
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
