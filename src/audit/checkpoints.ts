import { mkdir, open, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { CompactSign } from 'jose'
import type { Config } from '../config.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { findActiveSigningKey, lockSigningKeyShared } from '../db/signing-keys.js'
import { sendMail, type MailTransport } from '../mail/mailer.js'
import { processLogger } from '../observability/logger.js'
import {
  activeSigningKey,
  SIGNING_ALGORITHM,
  SigningKeyUnsealError,
  type PublishedJwk,
} from '../auth/signing-keys.js'
import {
  findCheckpointSince,
  insertCheckpoint,
  recordCheckpointDelivery,
} from './checkpoint-store.js'

// Signed checkpoints of the audit chain (issue 14 item 5). The chain alone proves that no row was
// edited in place, but not that none was removed from the end, nor that the whole log was not
// rebuilt from scratch with valid hashes. A checkpoint is the chain head (seq, hash, time) signed
// with the Ed25519 signing key and copied out of the database (a file, a mail): whoever rewrites
// the database cannot rewrite those copies, so verification against them shows the cut.

/** `typ` of the checkpoint's JWS header and payload: no other JWS of ours verifies as one. */
export const CHECKPOINT_TYP = 'fleetdeck-audit-checkpoint'

/** Who asked: the nightly task, an operator on /audit/verify, or `npm run audit:checkpoint`. */
export type CheckpointTrigger = 'schedule' | 'manual' | 'cli'

/** What the JWS signs (RFC 7515 compact serialisation; `time` is ISO 8601, UTC). */
export type CheckpointPayload = {
  typ: typeof CHECKPOINT_TYP
  seq: number
  hash: string
  time: string
}

/** The file written to AUDIT_CHECKPOINT_DIR: the signed head, its JWS and the key to check it. */
export type CheckpointFile = {
  seq: number
  hash: string
  time: string
  kid: string
  jws: string
  publicJwk: PublishedJwk
}

export type CheckpointConfig = Pick<
  Config,
  'secretKey' | 'auditCheckpointDir' | 'auditCheckpointMailTo' | 'smtpUrl' | 'mailFrom'
>

export type SignedCheckpoint = {
  ok: true
  id: number
  checkpoint: CheckpointFile
  /** Absolute path of the file written, or why it could not be written. */
  file: { path: string } | { error: string }
  /** Null when AUDIT_CHECKPOINT_MAIL_TO is empty. */
  mail: { sent: true } | { error: string } | null
}

/** `checkpoint-<seq>.json`: the name says which head it signs; one per seq. */
export function checkpointFileName(seq: number): string {
  return `checkpoint-${seq}.json`
}

/**
 * Signs the audit chain's head now and keeps the evidence in three places.
 * In one transaction: takes the signing-key lock shared (a rotation waits, as for handoffs,
 * src/auth/handoff-token.ts), appends the `audit.checkpoint` entry FIRST — which takes the
 * chain's advisory lock until commit, so the head cannot move — and signs that entry's own
 * (seq, hash): the checkpoint covers its own audit entry, so removing it is caught too. The JWS
 * is compact, `alg` EdDSA with the active `kid` (RFC 8037), payload CheckpointPayload; the row
 * goes to audit_checkpoints. After the commit, `<dir>/checkpoint-<seq>.json` (CheckpointFile;
 * dir created 0700, file 0600, fsynced, written under a temporary name and renamed) and, when
 * AUDIT_CHECKPOINT_MAIL_TO is set, a mail with the same JSON as its body. A copy that fails is
 * logged and recorded on the row (file_error, mail_error), shown on /audit/verify; the row stays.
 * @param context the operator (manual), or no actor (schedule, cli)
 * @param options.transport a mail transport (tests); the outbox/relay/SMTP otherwise
 * @returns the signed checkpoint and where its copies went, or `signing_key_unavailable` when
 *   the signing key does not open with this FLEETDECK_SECRET_KEY (nothing written)
 */
export async function signAuditCheckpoint(
  db: Db,
  context: AuditContext,
  options: { trigger: CheckpointTrigger; config: CheckpointConfig; transport?: MailTransport },
  now: Date,
): Promise<SignedCheckpoint | { ok: false; reason: 'signing_key_unavailable' }> {
  let signed: { id: number; checkpoint: CheckpointFile }
  try {
    signed = await db.transaction().execute(async (trx) => {
      await lockSigningKeyShared(trx)
      const key = await activeSigningKey(trx, options.config, now)
      const publicJwk = (await findActiveSigningKey(trx))!.publicJwk
      const head = await appendAuditEntry(
        trx,
        context,
        {
          action: 'audit.checkpoint',
          targetType: 'audit_checkpoint',
          after: { trigger: options.trigger, kid: key.kid },
        },
        now,
      )
      const time = now.toISOString()
      const payload: CheckpointPayload = {
        typ: CHECKPOINT_TYP,
        seq: head.seq,
        hash: head.hash,
        time,
      }
      const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: CHECKPOINT_TYP })
        .sign(key.privateKey)
      const id = await insertCheckpoint(trx, {
        seq: head.seq,
        hash: head.hash,
        signedAt: now,
        kid: key.kid,
        jws,
        trigger: options.trigger,
        createdBy: context.actor?.id ?? null,
      })
      const jwk: PublishedJwk = { ...publicJwk, kid: key.kid, alg: 'EdDSA', use: 'sig' }
      return {
        id,
        checkpoint: { seq: head.seq, hash: head.hash, time, kid: key.kid, jws, publicJwk: jwk },
      }
    })
  } catch (error) {
    if (error instanceof SigningKeyUnsealError)
      return { ok: false, reason: 'signing_key_unavailable' }
    throw error
  }
  const file = await writeCopy(db, signed.id, options.config.auditCheckpointDir, signed.checkpoint)
  const mail = await mailCopy(db, signed.id, options, signed.checkpoint, now)
  return { ok: true, ...signed, file, mail }
}

async function writeCopy(db: Db, id: number, dir: string, checkpoint: CheckpointFile) {
  try {
    const path = await writeCheckpointFile(dir, checkpoint)
    await recordCheckpointDelivery(db, id, { file: path, fileError: null })
    return { path }
  } catch (error) {
    const message = (error as Error).message ?? String(error)
    processLogger().error(
      { seq: checkpoint.seq, dir, error: message },
      'audit checkpoint: file not written',
    )
    await recordCheckpointDelivery(db, id, { fileError: message })
    return { error: message }
  }
}

async function mailCopy(
  db: Db,
  id: number,
  options: { config: CheckpointConfig; transport?: MailTransport },
  checkpoint: CheckpointFile,
  now: Date,
) {
  const to = options.config.auditCheckpointMailTo
  if (to.length === 0) return null
  try {
    await sendMail(
      db,
      options.config,
      {
        to: to.join(', '),
        subject: `Fleetdeck audit checkpoint at seq ${checkpoint.seq}`,
        text: `${JSON.stringify(checkpoint, null, 2)}\n`,
      },
      { transport: options.transport, now },
    )
    await recordCheckpointDelivery(db, id, { mailedAt: now, mailError: null })
    return { sent: true as const }
  } catch (error) {
    const message = (error as Error).message ?? String(error)
    processLogger().error(
      { seq: checkpoint.seq, error: message },
      'audit checkpoint: mail not sent',
    )
    await recordCheckpointDelivery(db, id, { mailError: message })
    return { error: message }
  }
}

/**
 * Writes `checkpoint` to `<dir>/checkpoint-<seq>.json`: the folder is created 0700 when missing,
 * the file 0600 under a temporary name, fsynced, then renamed into place (a crash leaves the old
 * state or the whole file, never half of one).
 * @returns the file's path
 * @throws the file system's error (permission, full disk)
 */
export async function writeCheckpointFile(
  dir: string,
  checkpoint: CheckpointFile,
): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const path = join(dir, checkpointFileName(checkpoint.seq))
  const temporary = `${path}.${process.pid}.tmp`
  const handle = await open(temporary, 'w', 0o600)
  try {
    await handle.writeFile(`${JSON.stringify(checkpoint, null, 2)}\n`)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temporary, path)
  return path
}

/** The nightly checkpoint is due from this hour (UTC), after the midnight daily jobs wrote. */
export const NIGHTLY_CHECKPOINT_HOUR_UTC = 2

/** How often the scheduler asks whether the nightly checkpoint is due: hourly, in milliseconds. */
export const NIGHTLY_CHECKPOINT_CHECK_MS = 60 * 60_000

/**
 * The nightly checkpoint: signs once per UTC day, at the first hourly check from 02:00 UTC (so a
 * server down at 02:00 catches up within an hour of its start). A `schedule` checkpoint already
 * signed that UTC day means nothing to do; the scheduler runs the task on one instance at a time.
 * @returns the signed checkpoint, or `not_due` (before 02:00, or already signed today)
 */
export async function signNightlyCheckpoint(
  db: Db,
  config: CheckpointConfig,
  now: Date,
): Promise<SignedCheckpoint | { ok: false; reason: 'not_due' | 'signing_key_unavailable' }> {
  if (now.getUTCHours() < NIGHTLY_CHECKPOINT_HOUR_UTC) return { ok: false, reason: 'not_due' }
  const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
  if (await findCheckpointSince(db, 'schedule', dayStart)) return { ok: false, reason: 'not_due' }
  return signAuditCheckpoint(db, { actor: null }, { trigger: 'schedule', config }, now)
}
