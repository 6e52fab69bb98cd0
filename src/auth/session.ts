import type { Db } from '../db/database.js'
import { toSuperAdmin, type SuperAdmin } from '../db/super-admins.js'
import { generateSplitToken, hashSecret, parseSplitToken, secretMatches } from './tokens.js'

// The session design of the Lucia guide (lucia-auth/lucia pages/sessions/basic.md): token
// `id.secret`, only sha256(secret) stored, constant-time comparison, a new session per sign-in.

export type Session = {
  id: string
  superAdminId: string
  twoFactorVerified: boolean
  createdAt: Date
  lastActiveAt: Date
  totpVerifiedAt: Date | null
  ip: string | null
  userAgent: string | null
  /**
   * The admin's active impersonation when the session was validated (issue 8 item 2): read in
   * the same statement, so console pages pay for the banner only while there is one.
   */
  activeImpersonationId?: string
}

export type SessionPolicy = {
  /** Inactivity after which a session ends, in seconds (SESSION_IDLE_MINUTES × 60). */
  idleSeconds: number
  /** Lifetime from sign-in regardless of activity, in seconds (SESSION_ABSOLUTE_HOURS × 3600). */
  absoluteSeconds: number
}

/**
 * Why a presented session no longer works, so the sign-in page can say it (issue #6 item 16):
 * `idle` and `absolute` are the two limits of DESIGN.md §5; `signed-out` means its row is gone
 * (sign-out in another window, "sign everyone out", a reset by an owner, or purged after expiry);
 * `deactivated` means its admin was deactivated.
 */
export type SessionEndReason = 'idle' | 'absolute' | 'signed-out' | 'deactivated'

/** Activity is written at most once a minute per session: enough for a 30-minute idle limit. */
const TOUCH_INTERVAL_MS = 60_000

/**
 * Creates a session for `superAdminId` and returns the token to put in the cookie (never stored).
 * `twoFactorVerified` is false after the password step and true only after TOTP.
 */
export async function createSession(
  db: Db,
  superAdminId: string,
  details: { twoFactorVerified: boolean; ip?: string | null; userAgent?: string | null },
  now: Date = new Date(),
): Promise<{ token: string; session: Session }> {
  const { id, secret, token } = generateSplitToken()
  const session: Session = {
    id,
    superAdminId,
    twoFactorVerified: details.twoFactorVerified,
    createdAt: now,
    lastActiveAt: now,
    totpVerifiedAt: details.twoFactorVerified ? now : null,
    ip: details.ip ?? null,
    userAgent: details.userAgent?.slice(0, 400) ?? null,
  }
  await db
    .insertInto('super_admin_sessions')
    .values({
      id,
      super_admin_id: superAdminId,
      secret_hash: hashSecret(secret),
      two_factor_verified: session.twoFactorVerified,
      created_at: now,
      last_active_at: now,
      totp_verified_at: session.totpVerifiedAt,
      ip: session.ip,
      user_agent: session.userAgent,
    })
    .execute()
  return { token, session }
}

/**
 * Finds the session and admin behind a cookie token. Returns undefined (and deletes the row
 * when it exists) if the token is malformed, the secret does not match, the admin is inactive,
 * or the idle or absolute limit has passed. With `touch`, extends the idle window, writing at most
 * once a minute per session (TOUCH_INTERVAL_MS; a request within the minute writes nothing);
 * background polling passes `touch: false` so it never keeps a session alive (DESIGN.md §5).
 * One query (session joined with its admin) plus, at most once a minute, the touch. `onEnded`
 * hears why a well-formed token of a real session was refused; a forged token says nothing.
 */
export async function validateSessionToken(
  db: Db,
  token: string,
  policy: SessionPolicy,
  options: { touch: boolean; now?: Date; onEnded?: (reason: SessionEndReason) => void } = {
    touch: true,
  },
): Promise<{ session: Session; admin: SuperAdmin } | undefined> {
  const now = options.now ?? new Date()
  const parts = parseSplitToken(token)
  if (!parts) return undefined
  // One round trip for the session and its admin: this runs on every console request.
  const row = await db
    .selectFrom('super_admin_sessions as s')
    .innerJoin('super_admins as a', 'a.id', 's.super_admin_id')
    .selectAll('a')
    .select((eb) =>
      eb
        .selectFrom('impersonations as i')
        .select('i.id')
        .whereRef('i.operator_id', '=', 's.super_admin_id')
        .where('i.ended_at', 'is', null)
        .where('i.expires_at', '>', now)
        .limit(1)
        .as('active_impersonation_id'),
    )
    .select([
      's.id as session_id',
      's.secret_hash',
      's.two_factor_verified',
      's.created_at as session_created_at',
      's.last_active_at',
      's.totp_verified_at',
      's.ip as session_ip',
      's.user_agent as session_user_agent',
    ])
    .where('s.id', '=', parts.id)
    .executeTakeFirst()
  if (!row) {
    options.onEnded?.('signed-out')
    return undefined
  }
  if (!secretMatches(parts.secret, row.secret_hash)) return undefined
  const idleEnd = row.last_active_at.getTime() + policy.idleSeconds * 1000
  const absoluteEnd = row.session_created_at.getTime() + policy.absoluteSeconds * 1000
  const admin = toSuperAdmin(row)
  if (now.getTime() >= idleEnd || now.getTime() >= absoluteEnd || !admin.isActive) {
    await invalidateSession(db, row.session_id)
    options.onEnded?.(
      !admin.isActive ? 'deactivated' : now.getTime() >= absoluteEnd ? 'absolute' : 'idle',
    )
    return undefined
  }
  let lastActiveAt = row.last_active_at
  if (options.touch && now.getTime() - lastActiveAt.getTime() >= TOUCH_INTERVAL_MS) {
    lastActiveAt = now
    await db
      .updateTable('super_admin_sessions')
      .set({ last_active_at: now })
      .where('id', '=', row.session_id)
      .execute()
  }
  const session: Session = {
    id: row.session_id,
    superAdminId: row.id,
    twoFactorVerified: row.two_factor_verified,
    createdAt: row.session_created_at,
    lastActiveAt,
    totpVerifiedAt: row.totp_verified_at,
    ip: row.session_ip,
    userAgent: row.session_user_agent,
    activeImpersonationId: row.active_impersonation_id ?? undefined,
  }
  return { session, admin }
}

/**
 * Ends one session (Lucia's `invalidateSession`). Works inside a transaction.
 * @returns whether a session with that id existed (false: it had already ended or expired)
 */
export async function invalidateSession(db: Db, sessionId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('super_admin_sessions')
    .where('id', '=', sessionId)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

/** Ends every session of one admin (after a password reset, deactivation, TOTP reset). */
export async function invalidateSuperAdminSessions(db: Db, superAdminId: string): Promise<number> {
  const result = await db
    .deleteFrom('super_admin_sessions')
    .where('super_admin_id', '=', superAdminId)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

/**
 * Replaces a session by a new one (new id and secret) that keeps its sign-in time — the absolute
 * limit still counts from the first sign-in — and records a fresh TOTP check. Used after
 * step-up: the session id changes whenever the session gains privilege (OWASP ASVS 5.0 §7.2.4).
 * @returns the new token for the cookie
 */
export async function rotateSession(
  db: Db,
  old: Session,
  now: Date,
  details: { ip?: string | null; userAgent?: string | null } = {},
): Promise<{ token: string; session: Session }> {
  const { id, secret, token } = generateSplitToken()
  const session: Session = {
    ...old,
    id,
    lastActiveAt: now,
    totpVerifiedAt: now,
    ip: details.ip ?? old.ip,
    userAgent: details.userAgent?.slice(0, 400) ?? old.userAgent,
  }
  await db
    .insertInto('super_admin_sessions')
    .values({
      id,
      super_admin_id: session.superAdminId,
      secret_hash: hashSecret(secret),
      two_factor_verified: session.twoFactorVerified,
      created_at: session.createdAt,
      last_active_at: now,
      totp_verified_at: now,
      ip: session.ip,
      user_agent: session.userAgent,
    })
    .execute()
  await invalidateSession(db, old.id)
  return { token, session }
}

/** Sessions of one admin that passed both steps and are within their limits, newest first. */
export async function listActiveSessions(
  db: Db,
  superAdminId: string,
  policy: SessionPolicy,
  now: Date,
): Promise<Session[]> {
  const rows = await db
    .selectFrom('super_admin_sessions')
    .selectAll()
    .where('super_admin_id', '=', superAdminId)
    .where('two_factor_verified', '=', true)
    .where('last_active_at', '>', new Date(now.getTime() - policy.idleSeconds * 1000))
    .where('created_at', '>', new Date(now.getTime() - policy.absoluteSeconds * 1000))
    .orderBy('last_active_at', 'desc')
    .execute()
  return rows.map((row) => ({
    id: row.id,
    superAdminId: row.super_admin_id,
    twoFactorVerified: row.two_factor_verified,
    createdAt: row.created_at,
    lastActiveAt: row.last_active_at,
    totpVerifiedAt: row.totp_verified_at,
    ip: row.ip,
    userAgent: row.user_agent,
  }))
}

/** How many live sessions (within both limits, any sign-in step) "sign everyone out" will end. */
export async function countAllSessions(db: Db, policy: SessionPolicy, now: Date): Promise<number> {
  const row = await db
    .selectFrom('super_admin_sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('last_active_at', '>', new Date(now.getTime() - policy.idleSeconds * 1000))
    .where('created_at', '>', new Date(now.getTime() - policy.absoluteSeconds * 1000))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Deletes sessions past either limit (they are refused anyway); returns how many. */
export async function deleteExpiredSessions(
  db: Db,
  policy: SessionPolicy,
  now: Date,
): Promise<number> {
  const result = await db
    .deleteFrom('super_admin_sessions')
    .where((eb) =>
      eb.or([
        eb('last_active_at', '<=', new Date(now.getTime() - policy.idleSeconds * 1000)),
        eb('created_at', '<=', new Date(now.getTime() - policy.absoluteSeconds * 1000)),
      ]),
    )
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** Ends every session of every super admin in one statement; returns how many ended. */
export async function invalidateAllSessions(db: Db): Promise<number> {
  const result = await db.deleteFrom('super_admin_sessions').executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** Ends every session of one admin but `keepSessionId` (their current one); returns how many. */
export async function invalidateOtherSessions(
  db: Db,
  superAdminId: string,
  keepSessionId: string,
): Promise<number> {
  const result = await db
    .deleteFrom('super_admin_sessions')
    .where('super_admin_id', '=', superAdminId)
    .where('id', '!=', keepSessionId)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
