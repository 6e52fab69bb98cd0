import type { Permission } from '../auth/permissions.js'
import { generateSplitToken, hashSecret } from '../auth/tokens.js'
import type { Db } from '../db/database.js'
import { API_TOKEN_PREFIX } from '../api/v1/auth.js'

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Inserts an API token for `operatorId` straight into `api_tokens` (only sha256 of the secret is
 * stored, as /account/tokens does) and returns the string a client sends as
 * `Authorization: Bearer fdt_<id>.<secret>`. `expiresAt` defaults to 90 days from `now`
 * (default: the wall clock); `stepUp` marks the token as created after a TOTP step-up;
 * `revokedAt` makes it a revoked token. The token's id is the part between `fdt_` and the dot
 * (see apiTokenId) — what audit_log.api_token_id records.
 */
export async function createTestApiToken(
  db: Db,
  operatorId: string,
  permissions: readonly Permission[],
  options: {
    stepUp?: boolean
    expiresAt?: Date
    revokedAt?: Date
    name?: string
    now?: Date
  } = {},
): Promise<string> {
  const { id, secret, token } = generateSplitToken()
  const now = options.now ?? new Date()
  await db
    .insertInto('api_tokens')
    .values({
      id,
      secret_hash: hashSecret(secret),
      super_admin_id: operatorId,
      name: options.name ?? `test token ${id.slice(0, 6)}`,
      permissions: [...permissions],
      step_up: options.stepUp ?? false,
      created_at: now,
      expires_at: options.expiresAt ?? new Date(now.getTime() + 90 * DAY_MS),
      revoked_at: options.revokedAt ?? null,
    })
    .execute()
  return `${API_TOKEN_PREFIX}${token}`
}

/** The id of an `fdt_<id>.<secret>` token string: what audit_log.api_token_id holds. */
export function apiTokenId(token: string): string {
  return token.slice(API_TOKEN_PREFIX.length).split('.')[0]
}

/** Headers for a REST call with `token` as bearer, and a JSON body when `json` is true. */
export function bearer(token: string, json = false): Record<string, string> {
  return {
    Authorization: `Bearer ${token}`,
    ...(json ? { 'Content-Type': 'application/json' } : {}),
  }
}
