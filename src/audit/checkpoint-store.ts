import type { Selectable } from 'kysely'
import type { Db } from '../db/database.js'
import type { AuditCheckpointsTable } from '../db/schema.js'

// Table access for public.audit_checkpoints (issue 14 item 5; delivery columns: migration
// 2026120730).

type CheckpointsTable = AuditCheckpointsTable

/** A checkpoint as stored: the signed head, who or what asked for it, and where copies went. */
export type StoredCheckpoint = {
  id: number
  seq: number
  hash: string
  signedAt: Date
  kid: string
  jws: string
  trigger: 'schedule' | 'manual' | 'cli'
  createdBy: string | null
  file: string | null
  fileError: string | null
  mailedAt: Date | null
  mailError: string | null
}

function fromRow(row: Selectable<CheckpointsTable>): StoredCheckpoint {
  return {
    id: Number(row.id),
    seq: Number(row.head_seq),
    hash: row.head_hash,
    signedAt: row.signed_at,
    kid: row.kid,
    jws: row.jws,
    trigger: row.trigger,
    createdBy: row.created_by,
    file: row.file,
    fileError: row.file_error,
    mailedAt: row.mailed_at,
    mailError: row.mail_error,
  }
}

/** Inserts a signed checkpoint (inside the transaction that signed it); returns its id. */
export async function insertCheckpoint(
  db: Db,
  row: Pick<
    StoredCheckpoint,
    'seq' | 'hash' | 'signedAt' | 'kid' | 'jws' | 'trigger' | 'createdBy'
  >,
): Promise<number> {
  const inserted = await db
    .insertInto('audit_checkpoints')
    .values({
      head_seq: row.seq,
      head_hash: row.hash,
      signed_at: row.signedAt,
      kid: row.kid,
      jws: row.jws,
      trigger: row.trigger,
      created_by: row.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return Number(inserted.id)
}

/** Records where a checkpoint's copies went (file path or its error, mail time or its error). */
export async function recordCheckpointDelivery(
  db: Db,
  id: number,
  delivery: Partial<Pick<StoredCheckpoint, 'file' | 'fileError' | 'mailedAt' | 'mailError'>>,
): Promise<void> {
  const set: Partial<Record<'file' | 'file_error' | 'mailed_at' | 'mail_error', unknown>> = {}
  if ('file' in delivery) set.file = delivery.file
  if ('fileError' in delivery) set.file_error = delivery.fileError
  if ('mailedAt' in delivery) set.mailed_at = delivery.mailedAt
  if ('mailError' in delivery) set.mail_error = delivery.mailError
  await db
    .updateTable('audit_checkpoints')
    .set(set as never)
    .where('id', '=', id)
    .execute()
}

/** Checkpoints newest first (`limit`, default 100). */
export async function listCheckpoints(db: Db, limit = 100): Promise<StoredCheckpoint[]> {
  const rows = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return rows.map(fromRow)
}

/** The newest checkpoint of `trigger` signed at or after `since`, if any. */
export async function findCheckpointSince(
  db: Db,
  trigger: StoredCheckpoint['trigger'],
  since: Date,
): Promise<StoredCheckpoint | undefined> {
  const row = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('trigger', '=', trigger)
    .where('signed_at', '>=', since)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row && fromRow(row)
}
