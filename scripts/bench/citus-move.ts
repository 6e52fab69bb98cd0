// The tenant move of `npm run bench -- --only-citus --citus-url URL` (issue 13, "Numbers for the
// closing note": a tenant move's time for a tenant of ~30 MB). One tenant's attachments and
// audit_log are filled to ~`mb` MB through the coordinator, then its schema is moved to the other
// worker with the transfer mode Fleetdeck would choose, and back with block_writes, timed.
import { sql } from 'kysely'
import type { Db } from '../../src/db/database.js'
import { tenantSchemaName } from '../../src/db/tenant-schema.js'
import {
  chooseShardTransferMode,
  listCitusNodes,
  measureCitusSchemas,
  moveTenantSchema,
  readShardTransferFacts,
  type ShardTransferMode,
} from '../../src/fleet/citus.js'

/** ~`mb` MB: four fifths attachments (~350 B a row with its index), one fifth audit_log (~700 B). */
async function fill(db: Db, schema: string, mb: number): Promise<void> {
  const attachments = Math.round((mb * 0.8 * 1e6) / 350)
  const entries = Math.round((mb * 0.2 * 1e6) / 700)
  await sql`insert into ${sql.table(`${schema}.attachments`)} (file_name, content_type, file_size)
    select 'file-' || g || '-' || repeat(md5(g::text), 7), 'application/octet-stream', g * 17
    from generate_series(1, ${attachments}) g`.execute(db)
  await sql`insert into ${sql.table(`${schema}.audit_log`)} (actor, action, details)
    select 'bench@example.com', 'file.upload', jsonb_build_object('note', repeat(md5(g::text), 16))
    from generate_series(1, ${entries}) g`.execute(db)
}

async function timedMove(db: Db, schema: string, mode: ShardTransferMode) {
  const placed = (await measureCitusSchemas(db, [schema])).get(schema)
  if (!placed) throw new Error(`${schema} is not distributed`)
  const target = (await listCitusNodes(db)).find((n) => n.node !== placed.node)
  if (!target) throw new Error('the move needs a second node holding shards')
  const started = performance.now()
  await moveTenantSchema(db, schema, target, mode)
  const ms = performance.now() - started
  const after = (await measureCitusSchemas(db, [schema])).get(schema)
  return { from: placed.node, to: after?.node ?? '?', bytes: placed.bytes, ms, mode }
}

/** Fills `slug`'s schema to ~`mb` MB, moves it away and back; prints ms and MB/s of each. */
export async function benchTenantMove(db: Db, slug: string, mb: number): Promise<void> {
  const schema = tenantSchemaName(slug)
  const filled = performance.now()
  await fill(db, schema, mb)
  await sql`analyze ${sql.table(`${schema}.attachments`)}`.execute(db)
  const fillS = (performance.now() - filled) / 1000
  const chosen = chooseShardTransferMode(await readShardTransferFacts(db, schema))
  for (const mode of [chosen, chosen === 'block_writes' ? 'force_logical' : 'block_writes']) {
    const move = await timedMove(db, schema, mode as ShardTransferMode)
    const mbs = move.bytes / 1e6 / (move.ms / 1000)
    const why = mode === chosen ? 'the mode Fleetdeck chooses' : 'for comparison'
    console.log(
      `  tenant move, ${(move.bytes / 1e6).toFixed(1)} MB (filled in ${fillS.toFixed(1)} s), ` +
        `${move.mode} (${why}): ${move.ms.toFixed(0)} ms, ${mbs.toFixed(1)} MB/s, ${move.from} → ${move.to}`,
    )
  }
}
