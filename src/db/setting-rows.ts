import type { Db } from './database.js'

// One row of public.settings (key → JSON value) read and written whole: the mail relay, the
// licence key and the cookie secret each live in one row. What a value means is the caller's.

/**
 * The value stored under `key`, or undefined when the row does not exist. With `forUpdate`
 * (inside a transaction) the row stays locked until commit, so an audited "before" is the
 * value actually replaced.
 */
export async function readSettingRow(
  db: Db,
  key: string,
  options: { forUpdate?: boolean } = {},
): Promise<unknown> {
  let query = db.selectFrom('settings').select('value').where('key', '=', key)
  if (options.forUpdate) query = query.forUpdate()
  return (await query.executeTakeFirst())?.value
}

/** Stores `value` under `key` (insert or replace); run inside the transaction that audits it. */
export async function writeSettingRow(
  trx: Db,
  key: string,
  value: unknown,
  updatedBy: string | null,
  now: Date,
): Promise<void> {
  const json = JSON.stringify(value)
  await trx
    .insertInto('settings')
    .values({ key, value: json, updated_at: now, updated_by: updatedBy })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({ value: json, updated_at: now, updated_by: updatedBy }),
    )
    .execute()
}

/**
 * Stores `value` under `key` unless a row exists (two instances starting together keep the
 * first). @returns true when this call stored it
 */
export async function insertSettingRowIfMissing(
  db: Db,
  key: string,
  value: unknown,
  now: Date,
): Promise<boolean> {
  const result = await db
    .insertInto('settings')
    .values({ key, value: JSON.stringify(value), updated_at: now, updated_by: null })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}

/** Removes the row under `key`. @returns true when there was one */
export async function deleteSettingRow(trx: Db, key: string): Promise<boolean> {
  const result = await trx.deleteFrom('settings').where('key', '=', key).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}
