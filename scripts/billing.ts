// npm run billing:reprocess [-- --pending] | npm run billing:replay -- FILE (issue 12 items 1 and
// 6): rebuild the billing projection from the Stripe event ledger, or backfill the ledger from a
// JSON-lines export of Stripe events. Works while the server runs on the embedded database.
import { replayStripeExport } from '../src/billing/replay.js'
import { reprocessLedger } from '../src/billing/reprocess.js'
import { loadConfig } from '../src/config.js'
import { openCliDatabase, reportCliFailures } from '../src/db/cli-database.js'
import { migratePlatform } from '../src/db/migrate.js'
import { countStripeEvents } from '../src/db/stripe-events.js'

reportCliFailures('billing')
const [command, ...args] = process.argv.slice(2)
if (command !== 'reprocess' && command !== 'replay') {
  console.error(
    'usage: npm run billing:reprocess [-- --pending]\n       npm run billing:replay -- FILE',
  )
  process.exit(2)
}
if (command === 'replay' && args.length !== 1) {
  console.error('usage: npm run billing:replay -- FILE   (JSON lines of Stripe event objects)')
  process.exit(2)
}
const config = loadConfig()
const { database } = await openCliDatabase(config, { poolSize: 2 })
try {
  await migratePlatform(database.db)
  const db = database.db
  if (command === 'reprocess') {
    const pendingOnly = args.includes('--pending')
    const result = await reprocessLedger(db, {
      pendingOnly,
      onProgress: (p) => console.log(`… ${p.done} processed, ${p.failed} failed`),
    })
    console.log(
      `${pendingOnly ? 'Processed pending events' : 'Reprocessed the ledger'}: ${result.processed} processed, ${result.failed} failed, in ${result.seconds.toFixed(1)} s`,
    )
    process.exitCode = result.failed > 0 ? 1 : 0
  } else {
    const result = await replayStripeExport(db, args[0]!)
    for (const bad of result.bad) console.error(`line ${bad.line}: ${bad.reason} (skipped)`)
    console.log(
      `Stored ${result.stored} events, ${result.duplicates} already in the ledger, ${result.bad.length} bad lines; processed ${result.processing.processed}, ${result.processing.failed} failed, in ${result.processing.seconds.toFixed(1)} s`,
    )
    process.exitCode = result.bad.length > 0 || result.processing.failed > 0 ? 1 : 0
  }
  const ledger = await countStripeEvents(db)
  console.log(
    `Ledger: ${ledger.total} events, ${ledger.pending} pending, ${ledger.failed} with an error`,
  )
} finally {
  await database.close()
}
