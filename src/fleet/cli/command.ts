import type { Config } from '../../config.js'
import type { DatabaseHandle } from '../../db/database.js'

/** What `npm run fleet -- <command>` hands each command (scripts/fleet.ts). */
export type FleetCli = {
  config: Config
  database: DatabaseHandle
  /** Prints one line to stdout. */
  out: (line: string) => void
  /** True when stdout is a terminal: progress bars are drawn only then. */
  interactive: boolean
}

/**
 * One subcommand: `args` are the words after its name. Resolves to the exit code: 0 healthy or
 * done, 1 unhealthy or some item failed, 2 a usage error (printed).
 * @throws CliError (src/db/cli-database.ts) for a failure to report in one line
 */
export type FleetCommand = {
  name: string
  /** One line for the usage text: `check  — health of every tenant schema`. */
  usage: string
  run(args: string[], cli: FleetCli): Promise<number>
}
