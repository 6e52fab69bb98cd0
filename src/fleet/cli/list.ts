import { findLatestFleetCheck, listCheckResults } from '../../db/fleet-check-results.js'
import { TENANT_HEALTHS, type TenantHealth } from '../../db/schema.js'
import { tenantSchemaName } from '../../db/tenant-schema.js'
import type { FleetCommand } from './command.js'
import { formatTable } from './health-output.js'

// npm run fleet -- list [--health X]: every tenant schema with its latest health (issue 11 item
// 3; seed 000's fix_missing_tenant_databases.py list), from tenants.health and, for orphan
// schemas (no tenant row), the latest fleet check. Reads only; exit 0.

const USAGE = `list [--health ${TENANT_HEALTHS.join('|')}]  — every tenant schema and its latest health`

/** The --health value, undefined for none, or null when the arguments are not understood. */
function parseArgs(args: string[]): TenantHealth | undefined | null {
  if (args.length === 0) return undefined
  const value = args[0] === '--health' ? args[1] : args[0]?.replace(/^--health=/, '')
  const used = args[0] === '--health' ? 2 : 1
  if (args.length !== used || !args[0].startsWith('--health')) return null
  return TENANT_HEALTHS.includes(value as TenantHealth) ? (value as TenantHealth) : null
}

export const command: FleetCommand = {
  name: 'list',
  usage: USAGE,
  async run(args, cli) {
    const health = parseArgs(args)
    if (health === null) {
      cli.out(`usage: npm run fleet -- ${USAGE}`)
      return 2
    }
    const db = cli.database.db
    const tenants = await db
      .selectFrom('tenants')
      .select(['slug', 'status', 'health', 'health_checked_at'])
      .$if(health !== undefined, (q) => q.where('health', '=', health!))
      .orderBy('slug')
      .execute()
    const rows = tenants.map((t) => [
      t.slug,
      tenantSchemaName(t.slug),
      t.status,
      t.health ?? 'not checked',
      t.health_checked_at?.toISOString() ?? '',
    ])
    const latest = await findLatestFleetCheck(db)
    if (latest && (health === undefined || health === 'orphan')) {
      for (const r of await listCheckResults(db, latest.id, { health: 'orphan', limit: 100_000 }))
        rows.push(['(no tenant)', r.schema, '', 'orphan', latest.finishedAt.toISOString()])
    }
    for (const line of formatTable(['slug', 'schema', 'status', 'health', 'checked at'], rows))
      cli.out(line)
    cli.out(`${rows.length} schema${rows.length === 1 ? '' : 's'}.`)
    return 0
  },
}
