import type { Db } from './database.js'
import { deleteSettingRow, readSettingRow, writeSettingRow } from './setting-rows.js'

// The licence key (issue 10 item 6, seed 002) in public.settings under `licence_key`, sealed
// (`encryptSecret` output): src/operators/settings.ts seals and opens it.

const LICENCE_KEY_SETTING = 'licence_key'

/** The sealed licence key (`v1.…`), or undefined when none is recorded. */
export async function findSealedLicenceKey(
  db: Db,
  options: { forUpdate?: boolean } = {},
): Promise<string | undefined> {
  const value = await readSettingRow(db, LICENCE_KEY_SETTING, options)
  return typeof value === 'string' ? value : undefined
}

/** Saves the sealed key (or removes it with null); run inside the transaction that audits it. */
export async function saveSealedLicenceKey(
  trx: Db,
  sealed: string | null,
  updatedBy: string,
  now: Date,
): Promise<void> {
  if (sealed === null) await deleteSettingRow(trx, LICENCE_KEY_SETTING)
  else await writeSettingRow(trx, LICENCE_KEY_SETTING, sealed, updatedBy, now)
}
