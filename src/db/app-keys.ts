import type { Db } from './database.js'

// Rows of public.app_keys (issue 8 item 3): the tenant apps connected to the kit API. What a key
// is and how it is checked lives in src/auth/app-keys.ts.

export type AppKey = {
  id: string
  name: string
  /** The app's origin, e.g. `https://app.example.com`: the handoff audience and destination. */
  appUrl: string
  createdBy: string | null
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
}

type AppKeyRow = {
  id: string
  name: string
  app_url: string
  created_by: string | null
  created_at: Date
  last_used_at: Date | null
  revoked_at: Date | null
}

function toAppKey(row: AppKeyRow): AppKey {
  return {
    id: row.id,
    name: row.name,
    appUrl: row.app_url,
    createdBy: row.created_by,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  }
}

const COLUMNS = [
  'id',
  'name',
  'app_url',
  'created_by',
  'created_at',
  'last_used_at',
  'revoked_at',
] as const

/** Stores a new key; `secretHash` is sha256 of its secret half (src/auth/app-keys.ts). */
export async function insertAppKey(
  db: Db,
  key: {
    id: string
    name: string
    appUrl: string
    secretHash: Uint8Array
    createdBy: string | null
  },
  now: Date,
): Promise<AppKey> {
  const row = await db
    .insertInto('app_keys')
    .values({
      id: key.id,
      name: key.name,
      app_url: key.appUrl,
      secret_hash: key.secretHash,
      created_by: key.createdBy,
      created_at: now,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow()
  return toAppKey(row)
}

/**
 * The unrevoked key `id` with its stored secret hash, for checking a presented key; undefined
 * when there is none or it was revoked.
 */
export async function findUsableAppKey(
  db: Db,
  id: string,
): Promise<(AppKey & { secretHash: Uint8Array }) | undefined> {
  const row = await db
    .selectFrom('app_keys')
    .select([...COLUMNS, 'secret_hash'])
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return row && { ...toAppKey(row), secretHash: new Uint8Array(row.secret_hash) }
}

/** Every unrevoked key, by name: the tenant apps an impersonation can be handed off to. */
export async function listUsableAppKeys(db: Db): Promise<AppKey[]> {
  const rows = await db
    .selectFrom('app_keys')
    .select(COLUMNS)
    .where('revoked_at', 'is', null)
    .orderBy('name')
    .orderBy('id')
    .execute()
  return rows.map(toAppKey)
}

/** The key `id`, revoked or not; undefined when there is none. */
export async function findAppKey(db: Db, id: string): Promise<AppKey | undefined> {
  const row = await db
    .selectFrom('app_keys')
    .select(COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst()
  return row && toAppKey(row)
}

/**
 * Records that key `id` was used at `now`, at most once a minute per key: a busy tenant app must
 * not turn every kit call into a write on the same row.
 */
export async function touchAppKey(db: Db, id: string, now: Date): Promise<void> {
  const aMinuteAgo = new Date(now.getTime() - 60_000)
  await db
    .updateTable('app_keys')
    .set({ last_used_at: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', aMinuteAgo)]))
    .execute()
}

/** A key as the app keys page lists it: who created it (email; null once that admin is gone). */
export type AppKeyListItem = AppKey & {
  createdByEmail: string | null
  revokedByEmail: string | null
}

/**
 * Every key, revoked ones included, newest first: an owner has a handful, so no paging. Never
 * the secret hash.
 */
export async function listAppKeys(db: Db): Promise<AppKeyListItem[]> {
  const rows = await db
    .selectFrom('app_keys')
    .leftJoin('super_admins as creator', 'creator.id', 'app_keys.created_by')
    .leftJoin('super_admins as revoker', 'revoker.id', 'app_keys.revoked_by')
    .select(COLUMNS.map((c) => `app_keys.${c}` as const))
    .select(['creator.email as created_by_email', 'revoker.email as revoked_by_email'])
    .orderBy('app_keys.created_at', 'desc')
    .orderBy('app_keys.id')
    .execute()
  return rows.map((r) => ({
    ...toAppKey(r),
    createdByEmail: r.created_by_email,
    revokedByEmail: r.revoked_by_email,
  }))
}

/**
 * Revokes key `id` in one compare-and-set (`revoked_at is null`), so two owners revoking at once
 * audit one revocation. From the commit on, findUsableAppKey no longer finds it: the next kit
 * call with it is a 401.
 * @returns the key after revocation; undefined when there is no such key or it was revoked already
 */
export async function revokeAppKeyRow(
  db: Db,
  id: string,
  revokedBy: string | null,
  now: Date,
): Promise<AppKey | undefined> {
  const row = await db
    .updateTable('app_keys')
    .set({ revoked_at: now, revoked_by: revokedBy })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returning(COLUMNS)
    .executeTakeFirst()
  return row && toAppKey(row)
}
