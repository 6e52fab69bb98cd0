import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { compactVerify, importJWK, type JWK } from 'jose'
import { verifyAuditChain, type ChainVerdict } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { SIGNING_ALGORITHM } from '../auth/signing-keys.js'
import { CHECKPOINT_TYP, type CheckpointPayload } from './checkpoints.js'
import { listCheckpoints } from './checkpoint-store.js'

// Verification of signed audit checkpoints against the chain (issue 14 item 5). The chain's own
// walk (verifyAuditChain) catches a row edited in place; a checkpoint catches what the walk cannot:
// rows cut from the end (truncated), or a log rebuilt from scratch with valid hashes (rewritten).
// Trust boundary: a checkpoint counts only when its signature verifies with the database's key
// of that kid. The file's own public JWK is a convenience for outside auditors, never trusted
// alone: anyone can make a file that verifies with a key of their own.

/** A checkpoint to check, from the database (audit_checkpoints) or from a file. */
export type CheckpointClaim = {
  source: 'database' | 'file'
  /** The file's path, or the row id as text. */
  label: string
  seq: number
  hash: string
  time: string
  kid: string
  jws: string
  /** The public JWK a file carries; absent for database rows. */
  publicJwk?: JWK
}

/**
 * `ok`; `forged` (the signature does not verify, or the signed payload says other than the
 * claim); `unknown-key` (no signing key of that kid in the database); `key-mismatch` (the file's
 * JWK is not the database's key of that kid); `truncated` (the log ends before the checkpoint's
 * seq); `rewritten` (row seq exists, or should, with another hash); `unreadable` (not a
 * checkpoint file at all).
 */
export type CheckpointStatus =
  'ok' | 'forged' | 'unknown-key' | 'key-mismatch' | 'truncated' | 'rewritten' | 'unreadable'

export type CheckpointResult = { claim: CheckpointClaim; status: CheckpointStatus; detail: string }

export type AuditEvidenceVerdict = {
  ok: boolean
  chain: ChainVerdict
  /** The chain's last seq (0 when empty). */
  headSeq: number
  checkpoints: CheckpointResult[]
}

/**
 * Checks each checkpoint: its JWS (EdDSA, `typ` fleetdeck-audit-checkpoint) with the database's
 * public key of its kid, the signed payload against the claimed seq/hash/time, the file's JWK
 * against the database's, then the chain: row `seq` must exist with hash `hash`. Reads the keys
 * once and the rows of every claimed seq in one query.
 * @returns one result per claim, in the order given
 */
export async function verifyAuditCheckpoints(
  db: Db,
  claims: CheckpointClaim[],
): Promise<{ headSeq: number; results: CheckpointResult[] }> {
  const keys = new Map(
    (await db.selectFrom('signing_keys').select(['kid', 'public_jwk']).execute()).map((k) => [
      k.kid,
      k.public_jwk as unknown as JWK,
    ]),
  )
  const seqs = [...new Set(claims.map((c) => c.seq).filter((s) => Number.isSafeInteger(s)))]
  const rows = seqs.length
    ? await db.selectFrom('audit_log').select(['seq', 'hash']).where('seq', 'in', seqs).execute()
    : []
  const hashes = new Map(rows.map((r) => [Number(r.seq), r.hash]))
  const last = await db
    .selectFrom('audit_log')
    .select('seq')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst()
  const headSeq = Number(last?.seq ?? 0)
  const results: CheckpointResult[] = []
  for (const claim of claims) {
    const result = (status: CheckpointStatus, detail: string) => ({ claim, status, detail })
    const key = keys.get(claim.kid)
    if (!key) {
      results.push(result('unknown-key', `no signing key ${claim.kid} in the database`))
      continue
    }
    if (claim.publicJwk && (claim.publicJwk.x !== key.x || claim.publicJwk.crv !== key.crv)) {
      results.push(result('key-mismatch', `the file's key is not the database's key ${claim.kid}`))
      continue
    }
    const forged = await signatureProblem(claim, key)
    if (forged) {
      results.push(result('forged', forged))
      continue
    }
    const stored = hashes.get(claim.seq)
    if (stored === undefined && headSeq < claim.seq) {
      results.push(result('truncated', `the log ends at seq ${headSeq}, before ${claim.seq}`))
    } else if (stored === undefined) {
      results.push(result('rewritten', `row ${claim.seq} is missing from the log`))
    } else if (stored !== claim.hash) {
      results.push(result('rewritten', `row ${claim.seq} does not have the signed hash`))
    } else {
      results.push(result('ok', `row ${claim.seq} has the signed hash`))
    }
  }
  return { headSeq, results }
}

/** Why the claim's JWS does not prove it, or undefined when it does. */
async function signatureProblem(claim: CheckpointClaim, jwk: JWK): Promise<string | undefined> {
  let payload: Partial<CheckpointPayload>
  try {
    const key = await importJWK({ ...jwk, alg: SIGNING_ALGORITHM }, SIGNING_ALGORITHM)
    const verified = await compactVerify(claim.jws, key, { algorithms: [SIGNING_ALGORITHM] })
    if (verified.protectedHeader.typ !== CHECKPOINT_TYP) return 'the JWS is not a checkpoint'
    if (verified.protectedHeader.kid !== claim.kid) return 'the JWS names another key'
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Partial<CheckpointPayload>
  } catch {
    return 'the signature does not verify'
  }
  if (payload.typ !== CHECKPOINT_TYP) return 'the signed payload is not a checkpoint'
  if (payload.seq !== claim.seq || payload.hash !== claim.hash || payload.time !== claim.time)
    return 'the signed seq, hash or time differ from the stated ones'
  return undefined
}

/** The database's own checkpoints as claims (the newest `limit`, default 1000). */
export async function databaseCheckpointClaims(db: Db, limit = 1000): Promise<CheckpointClaim[]> {
  return (await listCheckpoints(db, limit)).map((c) => ({
    source: 'database',
    label: `#${c.id}`,
    seq: c.seq,
    hash: c.hash,
    time: c.signedAt.toISOString(),
    kid: c.kid,
    jws: c.jws,
  }))
}

/**
 * Reads every `checkpoint-*.json` of `dir`, by seq. A file that is not a checkpoint becomes an
 * `unreadable` result rather than being skipped: a damaged copy is itself a finding.
 * @returns the claims, the unreadable files, and `missing` when the folder does not exist
 * @throws other file-system errors (permission)
 */
export async function readCheckpointDir(
  dir: string,
): Promise<{ claims: CheckpointClaim[]; unreadable: CheckpointResult[]; missing: boolean }> {
  let names: string[]
  try {
    names = (await readdir(dir)).filter((n) => /^checkpoint-\d+\.json$/.test(n))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { claims: [], unreadable: [], missing: true }
    throw error
  }
  names.sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]))
  const claims: CheckpointClaim[] = []
  const unreadable: CheckpointResult[] = []
  for (const name of names) {
    const path = join(dir, name)
    const claim = parseCheckpointFile(path, await readFile(path, 'utf8'))
    if (claim) claims.push(claim)
    else
      unreadable.push({
        claim: { source: 'file', label: path, seq: 0, hash: '', time: '', kid: '', jws: '' },
        status: 'unreadable',
        detail: 'not a checkpoint file',
      })
  }
  return { claims, unreadable, missing: false }
}

function parseCheckpointFile(path: string, text: string): CheckpointClaim | undefined {
  try {
    const f = JSON.parse(text) as Record<string, unknown>
    const strings = ['hash', 'time', 'kid', 'jws'].every((k) => typeof f[k] === 'string')
    if (!Number.isSafeInteger(f.seq) || !strings || typeof f.publicJwk !== 'object')
      return undefined
    return {
      source: 'file',
      label: path,
      seq: f.seq as number,
      hash: f.hash as string,
      time: f.time as string,
      kid: f.kid as string,
      jws: f.jws as string,
      publicJwk: f.publicJwk as JWK,
    }
  } catch {
    return undefined
  }
}

/** What became of the checkpoint folder: read, absent (nothing written yet), or unreadable. */
export type CheckpointDirState =
  { path: string; state: 'read' | 'missing' } | { path: string; state: 'error'; error: string }

/**
 * The whole verdict: the chain walk (verifyAuditChain) and every checkpoint of the database and,
 * when `dir` is given, of its files. OK only when the chain is intact and every checkpoint is. A
 * folder that cannot be read is reported (`dir.state` error), not thrown: the rest still counts.
 */
export async function verifyAuditEvidence(
  db: Db,
  options: { dir?: string } = {},
): Promise<AuditEvidenceVerdict & { dir?: CheckpointDirState }> {
  const chain = await verifyAuditChain(db)
  let fromDir: Awaited<ReturnType<typeof readCheckpointDir>> = {
    claims: [],
    unreadable: [],
    missing: false,
  }
  let dir: CheckpointDirState | undefined
  if (options.dir) {
    try {
      fromDir = await readCheckpointDir(options.dir)
      dir = { path: options.dir, state: fromDir.missing ? 'missing' : 'read' }
    } catch (error) {
      dir = { path: options.dir, state: 'error', error: (error as Error).message }
    }
  }
  const claims = [...(await databaseCheckpointClaims(db)), ...fromDir.claims]
  const { headSeq, results } = await verifyAuditCheckpoints(db, claims)
  const checkpoints = [...results, ...fromDir.unreadable]
  const ok = chain.ok && checkpoints.every((r) => r.status === 'ok') && dir?.state !== 'error'
  return { ok, chain, headSeq, checkpoints, dir }
}
