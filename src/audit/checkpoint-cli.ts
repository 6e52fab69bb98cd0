import { parseArgs } from 'node:util'
import type { Db } from '../db/database.js'
import { verifyAuditEvidence, type CheckpointResult } from './checkpoint-verify.js'
import { signAuditCheckpoint, type CheckpointConfig } from './checkpoints.js'

// `npm run audit:verify [-- --checkpoints DIR] [--sign]` (issue 14 item 5), as a function the
// script calls and tests run: the chain walk, the database's checkpoints and, with
// --checkpoints, every checkpoint-*.json of DIR; --sign first signs one (trigger `cli`).

const USAGE = 'usage: npm run audit:verify -- [--checkpoints DIR] [--sign]'

/**
 * Runs the verification and prints one line for the chain, one per checkpoint and a last line
 * `OK` or `BROKEN`. Without --checkpoints only the database's own checkpoints are checked: the
 * files are what proves a rewrite of the database, so an auditor passes the folder they kept.
 * @param print receives each output line
 * @returns the process exit code: 0 when everything verifies, 1 on any failure, 2 on bad usage
 */
export async function runAuditVerify(
  db: Db,
  config: CheckpointConfig,
  argv: string[],
  print: (line: string) => void,
  now: () => Date = () => new Date(),
): Promise<number> {
  let options: { checkpoints?: string; sign?: boolean }
  try {
    options = parseArgs({
      args: argv,
      options: { checkpoints: { type: 'string' }, sign: { type: 'boolean' } },
    }).values
  } catch (error) {
    print(`${(error as Error).message}\n${USAGE}`)
    return 2
  }
  if (options.sign) {
    const signed = await signAuditCheckpoint(db, { actor: null }, { trigger: 'cli', config }, now())
    if (!signed.ok) {
      print('BROKEN: no checkpoint signed: the signing key does not open with FLEETDECK_SECRET_KEY')
      return 1
    }
    const where =
      'path' in signed.file ? signed.file.path : `file not written: ${signed.file.error}`
    print(`Checkpoint signed at seq ${signed.checkpoint.seq} (${where})`)
  }
  const verdict = await verifyAuditEvidence(db, { dir: options.checkpoints })
  const chain = verdict.chain
  print(
    chain.ok
      ? `OK: ${chain.checked} entries, chain intact`
      : `BROKEN at seq ${chain.seq}: ${chain.reason} (${chain.checked} entries verified before it)`,
  )
  if (verdict.dir?.state === 'missing')
    print(`BROKEN: checkpoint folder ${verdict.dir.path} not found`)
  if (verdict.dir?.state === 'error')
    print(`BROKEN: checkpoint folder ${verdict.dir.path} unreadable: ${verdict.dir.error}`)
  for (const result of verdict.checkpoints) print(checkpointLine(result))
  // Asked to check a folder that is not there: nothing was proved, which is not OK.
  const ok = verdict.ok && verdict.dir?.state !== 'missing'
  print(ok ? 'OK' : 'BROKEN')
  return ok ? 0 : 1
}

/** `checkpoint seq 42 (file /x/checkpoint-42.json, key abc): OK: row 42 has the signed hash`. */
function checkpointLine(r: CheckpointResult): string {
  const source = r.claim.source === 'file' ? `file ${r.claim.label}` : `database ${r.claim.label}`
  const key = r.claim.kid ? `, key ${r.claim.kid}` : ''
  return `checkpoint seq ${r.claim.seq} (${source}${key}): ${r.status.toUpperCase()}: ${r.detail}`
}
