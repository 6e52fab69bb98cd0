// npm run audit:verify — walks the hash chain of public.audit_log; prints OK or the first broken link.
// Works while the server runs on the embedded database (through the server: src/db/cli-database.ts).
import { loadConfig } from '../src/config.js'
import { verifyAuditChain } from '../src/db/audit-log.js'
import { openCliDatabase, reportCliFailures } from '../src/db/cli-database.js'
import { migratePlatform } from '../src/db/migrate.js'

reportCliFailures('audit:verify')
const config = loadConfig()
const { database } = await openCliDatabase(config)
try {
  await migratePlatform(database.db)
  const verdict = await verifyAuditChain(database.db)
  if (verdict.ok) {
    console.log(`OK: ${verdict.checked} entries, chain intact`)
  } else {
    console.log(
      `BROKEN at seq ${verdict.seq}: ${verdict.reason} (${verdict.checked} entries verified before it)`,
    )
    process.exitCode = 1
  }
} finally {
  await database.close()
}
