import type { Db } from './database.js'

// What the start-up secret-key check reads and writes: a settings row sealed with the key at
// first start, and one stored TOTP secret (databases set up before the row existed).

const KEY_CHECK_SETTING = 'secret_key_check'

/** The sealed key-check value (`v1.…`), or undefined before the first start that wrote it. */
export async function findKeyCheck(db: Db): Promise<string | undefined> {
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', KEY_CHECK_SETTING)
    .executeTakeFirst()
  return typeof row?.value === 'string' ? row.value : undefined
}

/**
 * Stores the sealed key-check value unless one exists (two instances starting together keep
 * the first). @returns true when this call stored it.
 */
export async function insertKeyCheck(db: Db, sealed: string, now: Date): Promise<boolean> {
  const result = await db
    .insertInto('settings')
    .values({ key: KEY_CHECK_SETTING, value: JSON.stringify(sealed), updated_at: now })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}

/** One encrypted TOTP secret of any super admin (the oldest), or undefined when none is stored. */
export async function findOneTotpSecret(db: Db): Promise<string | undefined> {
  const row = await db
    .selectFrom('super_admins')
    .select('totp_secret_encrypted')
    .where('totp_secret_encrypted', 'is not', null)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst()
  return row?.totp_secret_encrypted ?? undefined
}
