import type { Db } from './database.js'

// One-time links (`/enrol/<id>.<secret>`): setup, enrolment and invitation tokens. Only sha256 of
// the secret is stored (DESIGN.md §5); comparing it is the caller's job (constant time).

export type EnrolmentPurpose = 'setup' | 'enrolment' | 'invitation'

export type EnrolmentTokenRow = {
  id: string
  secretHash: Uint8Array
  purpose: EnrolmentPurpose
  superAdminId: string | null
  createdAt: Date
  expiresAt: Date
}

/** Inserts a token row. */
export async function insertEnrolmentToken(db: Db, token: EnrolmentTokenRow): Promise<void> {
  await db
    .insertInto('enrolment_tokens')
    .values({
      id: token.id,
      secret_hash: token.secretHash,
      purpose: token.purpose,
      super_admin_id: token.superAdminId,
      created_at: token.createdAt,
      expires_at: token.expiresAt,
    })
    .execute()
}

/** The token `id` when it is unused and unexpired at `now`; undefined otherwise. */
export async function findUnusedEnrolmentToken(
  db: Db,
  id: string,
  now: Date,
): Promise<EnrolmentTokenRow | undefined> {
  const row = await db
    .selectFrom('enrolment_tokens')
    .selectAll()
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst()
  return (
    row && {
      id: row.id,
      secretHash: row.secret_hash,
      purpose: row.purpose,
      superAdminId: row.super_admin_id,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    }
  )
}

/**
 * Marks the token used, in one compare-and-set statement (unused and unexpired at `now`): of two
 * racing requests only one wins.
 * @returns true when this call marked it
 */
export async function markEnrolmentTokenUsed(db: Db, id: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('enrolment_tokens')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Marks every unused token of `purpose` as used at `now`; returns how many. */
export async function markUnusedTokensUsed(
  db: Db,
  purpose: EnrolmentPurpose,
  now: Date,
): Promise<number> {
  const result = await db
    .updateTable('enrolment_tokens')
    .set({ used_at: now })
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}
