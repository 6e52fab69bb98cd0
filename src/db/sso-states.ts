import type { Db } from './database.js'

/** A sign-in in progress at an identity provider (one `sso_states` row). */
export type SsoState = {
  state: string
  provider: string
  codeVerifier: string
  nonce: string
  createdAt: Date
}

/** Stores a started sign-in; `createdAt` is the app's clock, so the age check reads the same one. */
export async function insertSsoState(db: Db, row: SsoState): Promise<void> {
  await db
    .insertInto('sso_states')
    .values({
      state: row.state,
      provider: row.provider,
      code_verifier: row.codeVerifier,
      nonce: row.nonce,
      created_at: row.createdAt,
    })
    .execute()
}

/**
 * Takes a started sign-in out of the table in one `DELETE … RETURNING`, so a state is used at
 * most once even when the callback arrives twice at the same moment (RFC 6749 §10.12).
 * Undefined when there is no such row (unknown, or already used).
 */
export async function consumeSsoState(db: Db, state: string): Promise<SsoState | undefined> {
  const row = await db
    .deleteFrom('sso_states')
    .where('state', '=', state)
    .returningAll()
    .executeTakeFirst()
  return (
    row && {
      state: row.state,
      provider: row.provider,
      codeVerifier: row.code_verifier,
      nonce: row.nonce,
      createdAt: row.created_at,
    }
  )
}

/** Deletes sign-ins started before `before` that never came back; returns how many. */
export async function deleteSsoStatesBefore(db: Db, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('sso_states')
    .where('created_at', '<', before)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
