import { SecretKeyMismatchError } from './auth/key-check.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { openDatabase } from './db/database.js'
import { startFleetdeck } from './start.js'
import { ensureAssets } from './web/asset-build.js'

// `npm start`: the configuration, the assets, the database, then Fleetdeck (src/start.ts).

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

const config = configOrExit()
// In this process rather than a separate `npm run assets`: a warm start skips a whole tsx start.
if (ensureAssets()) console.log('assets built')
const database = await openDatabase({
  url: config.databaseUrl,
  dataDir: config.dataDir,
  jobWorkers: config.jobWorkers,
  shareWithClis: { publicUrl: config.publicUrl },
})
const fleetdeck = await startFleetdeck(config, database, { startedAt: started }).catch(
  async (error) => {
    if (!(error instanceof SecretKeyMismatchError)) throw error
    console.error(error.message)
    await database.close()
    process.exit(1)
  },
)

async function shutdown(signal: string) {
  console.log(`${signal}: shutting down`)
  await fleetdeck.stop()
  await database.close()
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
