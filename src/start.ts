import { serve, type ServerType } from '@hono/node-server'
import { createEnrolmentToken, withdrawSetupLinks } from './auth/enrolment.js'
import { checkSecretKey } from './auth/key-check.js'
import { ensureCookieSecret } from './auth/cookie-secret.js'
import { ensureActiveSigningKey } from './auth/signing-keys.js'
import type { Config } from './config.js'
import type { DatabaseHandle } from './db/database.js'
import { migratePlatform } from './db/migrate.js'
import { describeCitus } from './fleet/citus.js'
import { countSuperAdmins } from './db/super-admins.js'
import { createApp, type App } from './app.js'
import { periodicTasks } from './jobs/periodic-tasks.js'
import { createJobRunner } from './jobs/runner.js'
import { lapseLeasesOfEndedProcess } from './db/job-claims.js'
import { createScheduler } from './jobs/scheduler.js'
import { logThroughPino, processLogger } from './observability/logger.js'

// Fleetdeck's start on an open database, shared by `npm start` (src/server.ts) and `npm run
// demo` (scripts/demo.ts, which runs the example tenant app beside it in the same process).

export type RunningFleetdeck = {
  app: App
  /** The address it listens on, e.g. http://127.0.0.1:3000. */
  url: string
  /** The one-time setup link printed at this start, when no super admin exists yet. */
  setupLink: string | undefined
  /**
   * Stops listening, the scheduler and the job runner (items in flight settle first); the
   * database stays open (its opener closes it).
   */
  stop(): Promise<void>
}

/**
 * Migrates `public`, checks the secret key against the stored secrets, makes sure a signing key
 * exists, prints a one-time setup link when no super admin exists, then serves the console and
 * starts the scheduler. Lines go to `log` (console.log by default).
 * @throws SecretKeyMismatchError when FLEETDECK_SECRET_KEY cannot open the stored secrets
 * @throws Error naming a failing migration
 */
export async function startFleetdeck(
  config: Config,
  database: DatabaseHandle,
  options: { startedAt?: number; log?: (line: string) => void } = {},
): Promise<RunningFleetdeck> {
  const log = options.log ?? console.log
  const startedAt = options.startedAt ?? Date.now()
  const applied = await migratePlatform(database.db)
  if (applied.length > 0) log(`migrations applied: ${applied.join(', ')}`)
  // A key that cannot open the stored secrets would turn every TOTP step into a failure.
  await checkSecretKey(database.db, config.secretKey, new Date())
  // After the key check: a key that cannot open the stored secrets must not seal a new key pair.
  const signingKey = await ensureActiveSigningKey(database.db, config, new Date())
  if (signingKey.created) log(`signing key created: ${signingKey.kid}`)
  await ensureCookieSecret(database.db, config, new Date())
  const setupLink = await printSetupLink(database, config, log)

  const logger = processLogger(config.logLevel)
  const app = createApp({ config, database, logger })
  const scheduler = createScheduler(database.schedulerDb, periodicTasks(database, config), {
    lock: database.kind === 'pglite' ? 'none' : 'advisory',
    log: logThroughPino(logger),
  })
  scheduler.start()
  // Every instance runs items; SKIP LOCKED shares them (issue 11 item 1). The embedded database
  // has one process: items the previous one held continue at once, not after their lease.
  if (database.kind === 'pglite') {
    const lapsed = await lapseLeasesOfEndedProcess(database.db, new Date())
    if (lapsed > 0) log(`job items resumed from the previous process: ${lapsed}`)
  }
  const jobRunner = createJobRunner({ database, config, log: logThroughPino(logger) })
  jobRunner.start()
  const { server, url } = await listen(app, config)
  const readyMs = Date.now() - startedAt
  log(
    `Fleetdeck listening on ${url} (${describeDatabase(database, config)}), ready in ${readyMs} ms`,
  )
  logger.info({ url, database: database.kind, citus: database.citus, readyMs }, 'started')
  return {
    app,
    url,
    setupLink,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await scheduler.stop()
      await jobRunner.stop()
    },
  }
}

/**
 * What the start-up line says Fleetdeck runs on: the embedded database and its directory, or
 * PostgreSQL, with Citus as detected when the database was opened (issue 13 item 1).
 */
export function describeDatabase(
  database: Pick<DatabaseHandle, 'kind' | 'citus'>,
  config: Pick<Config, 'dataDir'>,
): string {
  if (database.kind === 'pglite') return `embedded database in ${config.dataDir}`
  return database.citus ? `PostgreSQL, ${describeCitus(database.citus)}` : 'PostgreSQL'
}

function listen(app: App, config: Config): Promise<{ server: ServerType; url: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) =>
      resolve({ server, url: `http://${info.address}:${info.port}` }),
    )
  })
}

/** When no super admin exists, a one-time link that creates the first owner (valid 1 hour). */
async function printSetupLink(
  database: DatabaseHandle,
  config: Config,
  log: (line: string) => void,
): Promise<string | undefined> {
  if ((await countSuperAdmins(database.db)) > 0) return undefined
  // Only the newest link works: links printed by earlier starts are withdrawn.
  await withdrawSetupLinks(database.db)
  const token = await createEnrolmentToken(database.db, 'setup', null)
  const link = `${config.publicUrl}/enrol/${token}`
  log(`\nNo super admin exists yet. Open this one-time setup link (valid 1 hour):\n\n  ${link}\n`)
  return link
}
