import type { Db } from './database.js'
import { insertSettingRowIfMissing, readSettingRow, writeSettingRow } from './setting-rows.js'

// The rotatable cookie secret (issue 10 item 6) in public.settings under `cookie_secret`: random
// bytes, sealed (`encryptSecret` output). What it signs and how is src/auth/cookie-secret.ts.

/** The settings key; the cached settings read (src/db/settings.ts) finds it under this name. */
export const COOKIE_SECRET_SETTING = 'cookie_secret'

/** The row's value: the sealed secret and when it was made (ISO 8601). */
export type StoredCookieSecret = { sealed: string; createdAt: string }

/** The value as read from the settings row (cached or not), or undefined when it is not one. */
export function asStoredCookieSecret(value: unknown): StoredCookieSecret | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const v = value as Record<string, unknown>
  return typeof v.sealed === 'string' && typeof v.createdAt === 'string'
    ? { sealed: v.sealed, createdAt: v.createdAt }
    : undefined
}

/** The stored cookie secret, or undefined before the first start that made one. */
export async function findCookieSecret(
  db: Db,
  options: { forUpdate?: boolean } = {},
): Promise<StoredCookieSecret | undefined> {
  return asStoredCookieSecret(await readSettingRow(db, COOKIE_SECRET_SETTING, options))
}

/** Stores `secret` unless one exists. @returns true when this call stored it */
export function insertCookieSecret(db: Db, secret: StoredCookieSecret, now: Date) {
  return insertSettingRowIfMissing(db, COOKIE_SECRET_SETTING, secret, now)
}

/** Replaces the secret; run inside the transaction that audits the rotation. */
export function replaceCookieSecret(
  trx: Db,
  secret: StoredCookieSecret,
  updatedBy: string | null,
  now: Date,
): Promise<void> {
  return writeSettingRow(trx, COOKIE_SECRET_SETTING, secret, updatedBy, now)
}
