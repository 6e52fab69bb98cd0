// npm run fleet -- <command>: the fleet operations of the console, from a terminal (issue 11;
// seed 000's fix_missing_tenant_databases.py check|list|recreate). Works while the server runs
// on the embedded database (through the server: src/db/cli-database.ts).
import { loadConfig } from '../src/config.js'
import { openCliDatabase, reportCliFailures } from '../src/db/cli-database.js'
import { migratePlatform } from '../src/db/migrate.js'
import type { FleetCommand } from '../src/fleet/cli/command.js'

// Each command is its own module under src/fleet/cli/.
const COMMANDS: Record<string, () => Promise<FleetCommand>> = {
  // check (H), list (H), repair (R), migrate (M), backup (B)
  check: async () => (await import('../src/fleet/cli/check.js')).command,
  list: async () => (await import('../src/fleet/cli/list.js')).command,
  repair: async () => (await import('../src/fleet/cli/repair.js')).repairCommand,
  migrate: async () => (await import('../src/fleet/cli/migrate.js')).migrateCommand,
  backup: async () => (await import('../src/fleet/cli/backup.js')).backupCommand,
}

reportCliFailures('fleet')
const [name, ...args] = process.argv.slice(2)
const load = name ? COMMANDS[name] : undefined
if (!load) {
  const commands = await Promise.all(Object.values(COMMANDS).map((l) => l()))
  console.error('usage: npm run fleet -- <command> [options]\n')
  for (const c of commands) console.error(`  ${c.usage}`)
  process.exit(2)
}
const command = await load()
const config = loadConfig()
const { database } = await openCliDatabase(config, { poolSize: 4 })
try {
  await migratePlatform(database.db)
  process.exitCode = await command.run(args, {
    config,
    database,
    out: (line) => console.log(line),
    interactive: process.stdout.isTTY === true,
  })
} finally {
  await database.close()
}
