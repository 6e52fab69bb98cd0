import type { MiddlewareHandler } from 'hono'
import { sql } from 'kysely'
import { PERMISSIONS, roleCan, type Permission } from '../../auth/permissions.js'
import { isAllowed } from '../../auth/ip-allowlist.js'
import { parseSplitToken, secretMatches } from '../../auth/tokens.js'
import { appendAuditEntry } from '../../db/audit-log.js'
import { hitRateLimitLightly } from '../../db/rate-limits.js'
import { findSuperAdminById } from '../../db/super-admins.js'
import type { AppEnv } from '../../web/env.js'
import { auditContext } from '../../web/request.js'
import { clientIp } from '../../web/request.js'
import { ApiRefusal } from './problems.js'

/** Failed authentications one address may make per minute before it is refused outright. */
export const API_AUTH_FAILURES_PER_MINUTE = 30

/** The prefix of an API token as shown to the operator: `fdt_<id>.<secret>`. */
export const API_TOKEN_PREFIX = 'fdt_'

/**
 * Authenticates a REST call by its `Authorization: Bearer fdt_<id>.<secret>` token (RFC 6750
 * §2.1). 401 for a missing, malformed, unknown, revoked or expired token, or one whose owner is no
 * longer active or has no TOTP enrolled (checked on every call, so deactivation stops the token
 * at once); the reason is told only to whoever presents the right secret. 403 from an address
 * outside the owner's own IP allowlist (as for their console sessions). 429 past
 * API_RATE_LIMIT_PER_MINUTE for the token, or after too many failures from one address (OWASP
 * ASVS 5.0 §6.3.1). No cookie is read: a console session opens nothing here, and a token opens no
 * console page, so the API needs no CSRF defence.
 * Sets `c.var.apiToken` and `c.var.operator` (the token's owner), records last use (time and
 * address), and writes the call's audit entry after the handler (see auditApiCall).
 */
export const requireApiToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const db = c.var.db
  const now = c.var.now()
  const ip = clientIp(c)
  const header = c.req.header('authorization') ?? ''
  const presented = /^Bearer (\S+)$/i.exec(header)?.[1]
  const parsed =
    presented?.startsWith(API_TOKEN_PREFIX) &&
    parseSplitToken(presented.slice(API_TOKEN_PREFIX.length))
  const row = parsed
    ? await db.selectFrom('api_tokens').selectAll().where('id', '=', parsed.id).executeTakeFirst()
    : undefined
  const owner = row ? await findSuperAdminById(db, row.super_admin_id) : undefined
  // The secret first: whoever knows only a token's id (it is in audit entries) learns nothing
  // of its state from the answer.
  const genuine = Boolean(parsed && row && secretMatches(parsed.secret, row.secret_hash))
  const usable =
    genuine &&
    row &&
    owner &&
    owner.isActive &&
    // An operator whose TOTP was reset has no console until re-enrolment: nor do their tokens.
    owner.mfaEnabled &&
    row.revoked_at === null &&
    row.expires_at.getTime() > now.getTime()
  if (!usable) {
    if (
      (await hitRateLimitLightly(db, `api-auth:${ip ?? 'unknown'}`, 60, now)) >
      API_AUTH_FAILURES_PER_MINUTE
    ) {
      c.header('Retry-After', retryAfterSeconds(now))
      throw new ApiRefusal(429, 'rate_limited', 'Too many failed authentications; wait a minute.')
    }
    c.header('WWW-Authenticate', 'Bearer realm="fleetdeck-api"')
    const detail = !genuine
      ? 'A valid API token is required (Authorization: Bearer fdt_…).'
      : row && row.revoked_at
        ? 'This API token was revoked.'
        : row && row.expires_at.getTime() <= now.getTime()
          ? 'This API token has expired.'
          : owner && !owner.isActive
            ? 'The operator who owns this API token is deactivated.'
            : owner && !owner.mfaEnabled
              ? 'The operator who owns this API token must enrol TOTP again first.'
              : 'A valid API token is required (Authorization: Bearer fdt_…).'
    throw new ApiRefusal(401, 'unauthorized', detail)
  }
  // The owner's own allowlist holds for their tokens as for their sessions (src/web/guards.ts).
  if (!isAllowed(owner.ipAllowlist, ip ?? null)) {
    throw new ApiRefusal(
      403,
      'ip_refused',
      'Calls with this API token are not allowed from your address (the owner’s IP allowlist).',
    )
  }
  const limit = c.var.deps.config.apiRateLimitPerMinute
  if ((await hitRateLimitLightly(db, `api:${row.id}`, 60, now)) > limit) {
    c.header('Retry-After', retryAfterSeconds(now))
    throw new ApiRefusal(
      429,
      'rate_limited',
      `This API token made more than ${limit} calls this minute.`,
    )
  }
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: now, last_used_ip: ip ?? null })
    .where('id', '=', row.id)
    .execute()
  c.set('operator', owner)
  c.set('apiToken', {
    id: row.id,
    name: row.name,
    permissions: row.permissions.filter((p): p is Permission =>
      (PERMISSIONS as readonly string[]).includes(p),
    ),
    stepUp: row.step_up,
    expiresAt: row.expires_at,
  })
  await next()
  await auditApiCall(c)
}

/** Seconds until the next clock minute, when the fixed one-minute windows (rate-limits.ts) reset. */
function retryAfterSeconds(now: Date): string {
  return String(Math.ceil((60_000 - (now.getTime() % 60_000)) / 1000))
}

/**
 * The permission one API route needs: the token must carry it AND its owner's role must still
 * grant it (a role lowered after the token was made lowers the token too). With `stepUp`, the
 * route is one the console guards with step-up: the token must also have been created with
 * step-up (issue 14 item 2). 403 otherwise.
 */
export function requireApiPermission(
  permission: Permission,
  options: { stepUp?: boolean } = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = c.var.apiToken
    if (!token.permissions.includes(permission) || !roleCan(c.var.operator.role, permission)) {
      throw new ApiRefusal(403, 'forbidden', `This API token does not carry ${permission}.`)
    }
    if (options.stepUp && !token.stepUp) {
      throw new ApiRefusal(
        403,
        'step_up_required',
        `This action needs step-up: create a token with ${permission} and confirm it with your TOTP code.`,
      )
    }
    await next()
  }
}

/**
 * Every call through a token leaves an audit entry with the token's id (issue 14 item 1). A
 * write that succeeded already wrote its own entry, in its own transaction and with the token id
 * (auditContext); reads and refusals get `api.read` / `api.refused` here, after the handler,
 * with method, path, query and status.
 */
async function auditApiCall(c: Parameters<MiddlewareHandler<AppEnv>>[0]): Promise<void> {
  const status = c.res.status
  const read = c.req.method === 'GET' || c.req.method === 'HEAD'
  if (!read && status < 400) return
  const url = new URL(c.req.url)
  await c.var.db.transaction().execute(async (trx) => {
    await sql`set local synchronous_commit = off`.execute(trx)
    await appendAuditEntry(
      trx,
      auditContext(c),
      {
        action: status >= 400 ? 'api.refused' : 'api.read',
        targetType: 'api_token',
        targetId: c.var.apiToken.id,
        after: { method: c.req.method, path: url.pathname, query: url.search || null, status },
      },
      c.var.now(),
    )
  })
}
