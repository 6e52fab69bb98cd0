import { sql } from 'kysely'
import type { Db } from './database.js'

// Rows of public.api_tokens (issue 14 item 2): bearer tokens for /api/v1. The rules for making and
// revoking one live in src/auth/api-tokens.ts; the per-call check in src/api/v1/auth.ts.

/** One API token as the console lists it: never its secret nor the secret's hash. */
export type ApiToken = {
  /** The public half of `fdt_<id>.<secret>`, also what audit_log.api_token_id records. */
  id: string
  superAdminId: string
  /** The owner's email (for the owners' list of everyone's tokens). */
  ownerEmail: string
  name: string
  permissions: string[]
  /** The creator passed step-up (TOTP) when creating it. */
  stepUp: boolean
  createdAt: Date
  expiresAt: Date
  lastUsedAt: Date | null
  /** The client address of the last call, as clientIp() resolved it. */
  lastUsedIp: string | null
  revokedAt: Date | null
  revokedByEmail: string | null
}

/** What a token is at `now`: revoked wins over expired. */
export type ApiTokenStatus = 'active' | 'expired' | 'revoked'

/** The status of `token` at `now` (expired once `expiresAt` ≤ now, as the API guard counts). */
export function apiTokenStatus(token: ApiToken, now: Date): ApiTokenStatus {
  if (token.revokedAt) return 'revoked'
  return token.expiresAt.getTime() <= now.getTime() ? 'expired' : 'active'
}

function selectTokens(db: Db) {
  return db
    .selectFrom('api_tokens as t')
    .innerJoin('super_admins as o', 'o.id', 't.super_admin_id')
    .leftJoin('super_admins as r', 'r.id', 't.revoked_by')
    .select([
      't.id',
      't.super_admin_id',
      'o.email as owner_email',
      't.name',
      't.permissions',
      't.step_up',
      't.created_at',
      't.expires_at',
      't.last_used_at',
      't.last_used_ip',
      't.revoked_at',
      'r.email as revoked_by_email',
    ])
}

type TokenRow = Awaited<ReturnType<ReturnType<typeof selectTokens>['executeTakeFirstOrThrow']>>

function toApiToken(row: TokenRow): ApiToken {
  return {
    id: row.id,
    superAdminId: row.super_admin_id,
    ownerEmail: row.owner_email,
    name: row.name,
    permissions: row.permissions,
    stepUp: row.step_up,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    lastUsedIp: row.last_used_ip,
    revokedAt: row.revoked_at,
    revokedByEmail: row.revoked_by_email,
  }
}

/** The tokens of one operator, newest first. */
export async function listOwnApiTokens(db: Db, superAdminId: string): Promise<ApiToken[]> {
  const rows = await selectTokens(db)
    .where('t.super_admin_id', '=', superAdminId)
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id')
    .execute()
  return rows.map(toApiToken)
}

/** Every operator's tokens with the owner's email, newest first (the owners' view). */
export async function listAllApiTokens(db: Db): Promise<ApiToken[]> {
  const rows = await selectTokens(db).orderBy('t.created_at', 'desc').orderBy('t.id').execute()
  return rows.map(toApiToken)
}

/** The token `id`, revoked or not; undefined when there is none. */
export async function findApiTokenById(db: Db, id: string): Promise<ApiToken | undefined> {
  const row = await selectTokens(db).where('t.id', '=', id).executeTakeFirst()
  return row && toApiToken(row)
}

/**
 * True when `superAdminId` holds a live token (not revoked, not expired at `now`) named `name`,
 * compared case-insensitively so "Terraform" and "terraform" cannot both be live.
 */
export async function hasLiveApiTokenNamed(
  db: Db,
  superAdminId: string,
  name: string,
  now: Date,
): Promise<boolean> {
  const row = await db
    .selectFrom('api_tokens')
    .select('id')
    .where('super_admin_id', '=', superAdminId)
    .where(sql<string>`lower(name)`, '=', name.toLowerCase())
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst()
  return row !== undefined
}

/** Stores a new token; `secretHash` is sha256 of its secret half (src/auth/tokens.ts). */
export async function insertApiToken(
  db: Db,
  token: {
    id: string
    secretHash: Uint8Array
    superAdminId: string
    name: string
    permissions: string[]
    stepUp: boolean
    expiresAt: Date
  },
  now: Date,
): Promise<void> {
  await db
    .insertInto('api_tokens')
    .values({
      id: token.id,
      secret_hash: token.secretHash,
      super_admin_id: token.superAdminId,
      name: token.name,
      permissions: token.permissions,
      step_up: token.stepUp,
      created_at: now,
      expires_at: token.expiresAt,
    })
    .execute()
}

/**
 * Marks the token revoked, once: a compare-and-set on `revoked_at is null`, so two revocations
 * at the same moment record one. Returns false when it was already revoked (or is gone).
 */
export async function markApiTokenRevoked(
  db: Db,
  id: string,
  by: string,
  now: Date,
): Promise<boolean> {
  const row = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now, revoked_by: by })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}
