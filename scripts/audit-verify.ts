// npm run audit:verify [-- --checkpoints DIR] [--sign] — walks the hash chain of public.audit_log
// and checks the signed checkpoints (the database's, and with --checkpoints every
// checkpoint-*.json of DIR, the copies kept outside the database) against it; --sign signs one
// first. One line per checkpoint, then OK or BROKEN; exit code 1 on any failure.
// Works while the server runs on the embedded database (through the server: src/db/cli-database.ts).
import { runAuditVerify } from '../src/audit/checkpoint-cli.js'
import { loadConfig } from '../src/config.js'
import { openCliDatabase, reportCliFailures } from '../src/db/cli-database.js'
import { migratePlatform } from '../src/db/migrate.js'

reportCliFailures('audit:verify')
const config = loadConfig()
const { database } = await openCliDatabase(config)
try {
  await migratePlatform(database.db)
  process.exitCode = await runAuditVerify(database.db, config, process.argv.slice(2), (line) =>
    console.log(line),
  )
} finally {
  await database.close()
}
