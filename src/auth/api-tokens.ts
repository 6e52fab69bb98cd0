import {
  findApiTokenById,
  hasLiveApiTokenNamed,
  insertApiToken,
  markApiTokenRevoked,
  type ApiToken,
} from '../db/api-tokens.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import type { SuperAdmin } from '../db/super-admins.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { PERMISSIONS, roleCan, type Permission } from './permissions.js'
import { generateSplitToken, hashSecret } from './tokens.js'

// API tokens made by operators at /account/tokens (issue 14 item 2). Each verb is one
// transaction: the row and its audit entry commit together. The secret exists in clear only in
// createApiToken's answer; the database and the audit log never see it.

/** The longest life a token may have, in days (issue 14 item 2: "expiry ≤ 1 year, required"). */
export const API_TOKEN_MAX_DAYS = 365

/** The longest name, in characters. */
export const API_TOKEN_NAME_MAX = 80

const DAY_MS = 24 * 60 * 60 * 1000

/** A refused field of the create form: `field` is the form field the message belongs next to. */
export type ApiTokenFieldError = {
  field: 'name' | 'permissions' | 'expiresAt'
  message: string
}

export type CreateApiTokenInput = {
  /** The creator, who owns the token; its role bounds the permissions. */
  operator: SuperAdmin
  name: string
  permissions: string[]
  /** Whole days from `now`; or give `expiresAt`. One of the two is required. */
  expiresInDays?: number
  expiresAt?: Date
  /** The creator passed step-up (TOTP) for this request: the route decides, never the form. */
  stepUp: boolean
}

/**
 * The rules of a new token, without touching the database (name uniqueness is checked by
 * createApiToken): name 1–80 characters; at least one permission, each a known one AND granted
 * by the creator's role (a token never carries more than its creator — OWASP ASVS 5.0 §8.2.1,
 * least privilege); an expiry in the future and at most API_TOKEN_MAX_DAYS after `now`.
 * @returns the expiry as a Date and the permissions deduplicated in the table's order, or the
 *   refused fields
 */
export function checkApiTokenInput(
  input: CreateApiTokenInput,
  now: Date,
):
  | { ok: true; name: string; permissions: Permission[]; expiresAt: Date }
  | { ok: false; errors: ApiTokenFieldError[] } {
  const errors: ApiTokenFieldError[] = []
  const name = input.name.trim()
  if (name.length === 0) errors.push({ field: 'name', message: 'Enter a name.' })
  else if (name.length > API_TOKEN_NAME_MAX)
    errors.push({ field: 'name', message: `Use at most ${API_TOKEN_NAME_MAX} characters.` })

  const unknown = input.permissions.filter((p) => !(PERMISSIONS as readonly string[]).includes(p))
  const permissions = PERMISSIONS.filter((p) => input.permissions.includes(p))
  const beyondRole = permissions.filter((p) => !roleCan(input.operator.role, p))
  if (input.permissions.length === 0)
    errors.push({ field: 'permissions', message: 'Choose at least one permission.' })
  else if (unknown.length > 0)
    errors.push({
      field: 'permissions',
      message: `Unknown permission: ${unknown[0].slice(0, 60)}.`,
    })
  else if (beyondRole.length > 0)
    errors.push({
      field: 'permissions',
      message: `Your role (${input.operator.role}) does not have ${beyondRole.join(', ')}; a token cannot carry more than you.`,
    })

  const expiresAt =
    input.expiresAt ??
    (input.expiresInDays === undefined
      ? undefined
      : new Date(now.getTime() + input.expiresInDays * DAY_MS))
  if (!expiresAt || Number.isNaN(expiresAt.getTime()))
    errors.push({ field: 'expiresAt', message: 'Choose when the token expires.' })
  else if (expiresAt.getTime() <= now.getTime())
    errors.push({ field: 'expiresAt', message: 'Choose an expiry in the future.' })
  else if (expiresAt.getTime() > now.getTime() + API_TOKEN_MAX_DAYS * DAY_MS)
    errors.push({ field: 'expiresAt', message: 'A token may live at most one year (365 days).' })

  if (errors.length > 0 || !expiresAt) return { ok: false, errors }
  return { ok: true, name, permissions, expiresAt }
}

/**
 * Creates an API token for `input.operator` after checkApiTokenInput, refusing a name the
 * operator already uses for a live token (not revoked, not expired; case-insensitive). Stores
 * sha256 of the secret only (src/auth/tokens.ts) and audits `api_token.create` with id, name,
 * permissions, expiry and step-up — never the secret — in the same transaction. The owner's row
 * is locked for the check and insert, so two tabs cannot both create the same name.
 * @returns the token `fdt_<id>.<secret>` (the only moment it exists in clear) and its id, or the
 *   refused fields
 */
export async function createApiToken(
  db: Db,
  context: AuditContext,
  input: CreateApiTokenInput,
  now: Date,
): Promise<{ ok: true; token: string; id: string } | { ok: false; errors: ApiTokenFieldError[] }> {
  const checked = checkApiTokenInput(input, now)
  if (!checked.ok) return checked
  const fresh = generateSplitToken()
  return db.transaction().execute(async (trx) => {
    await trx
      .selectFrom('super_admins')
      .select('id')
      .where('id', '=', input.operator.id)
      .forUpdate()
      .execute()
    if (await hasLiveApiTokenNamed(trx, input.operator.id, checked.name, now)) {
      const message = 'You already have a live token with this name; choose another.'
      return { ok: false as const, errors: [{ field: 'name' as const, message }] }
    }
    const row = {
      id: fresh.id,
      secretHash: hashSecret(fresh.secret),
      superAdminId: input.operator.id,
      name: checked.name,
      permissions: checked.permissions,
      stepUp: input.stepUp,
      expiresAt: checked.expiresAt,
    }
    await insertApiToken(trx, row, now)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'api_token.create',
        targetType: 'api_token',
        targetId: fresh.id,
        before: null,
        after: {
          id: fresh.id,
          name: row.name,
          permissions: row.permissions,
          expiresAt: row.expiresAt.toISOString(),
          stepUp: row.stepUp,
        },
      },
      now,
    )
    return { ok: true as const, token: `fdt_${fresh.token}`, id: fresh.id }
  })
}

/**
 * Revokes token `tokenId` on behalf of `by`: its owner may revoke it, and so may any operator
 * with the owner role (issue 14 item 2). A compare-and-set, so two revocations at once record
 * one; audits `api_token.revoke` with the revocation before and after. The API refuses the token
 * from the commit on (src/api/v1/auth.ts reads revoked_at on every call).
 * @returns the token as it was before; `not_found`; `forbidden` (someone else's, and `by` is not
 *   an owner); `already_revoked` (nothing written)
 */
export async function revokeApiToken(
  db: Db,
  context: AuditContext,
  input: { tokenId: string; by: SuperAdmin },
  now: Date,
): Promise<DomainResult<{ token: ApiToken }, 'not_found' | 'forbidden' | 'already_revoked'>> {
  return db.transaction().execute(async (trx) => {
    const token = await findApiTokenById(trx, input.tokenId)
    if (!token) return refuse('not_found')
    if (token.superAdminId !== input.by.id && input.by.role !== 'owner') return refuse('forbidden')
    if (!(await markApiTokenRevoked(trx, token.id, input.by.id, now)))
      return refuse('already_revoked')
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'api_token.revoke',
        targetType: 'api_token',
        targetId: token.id,
        before: { name: token.name, owner: token.ownerEmail, revokedAt: null },
        after: { name: token.name, owner: token.ownerEmail, revokedAt: now.toISOString() },
      },
      now,
    )
    return { ok: true, token }
  })
}
