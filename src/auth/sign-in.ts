import type { Transaction } from 'kysely'
import type { Db } from '../db/database.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import { hitRateLimit, releaseRateLimit } from '../db/rate-limits.js'
import type { Database, SignInOutcome } from '../db/schema.js'
import { insertSignInAttempt } from '../db/sign-in-attempts.js'
import {
  consumeTotpStep,
  findSuperAdminByEmail,
  recordSuperAdminLogin,
  setTotpReplayNotice,
  type SuperAdmin,
} from '../db/super-admins.js'
import { decryptSecret } from './encryption.js'
import { isAllowed } from './ip-allowlist.js'
import {
  admitAttempt,
  isLocked,
  resetFailures,
  type Admission,
  type FailureKind,
} from './lockout.js'
import { decoyPasswordHash, verifyPassword } from './password.js'
import { createSession, invalidateSession, rotateSession, type Session } from './session.js'
import { checkTotpCode } from './totp.js'

// The steps of super-admin sign-in (DESIGN.md §5; issue #3 for lockout, per-address limits,
// replay detection and step-up). Expected outcomes are values; every outcome is audited and
// recorded in sign_in_attempts (the admin's sign-in history).

/** One message for unknown email, wrong password, locked account and refused address. */
export const SIGN_IN_FAILED = 'Email or password is incorrect.'

/** Failed sign-ins one address may make per window before it is refused (429) for the rest of it. */
export const IP_FAILURE_LIMIT = 30
export const IP_FAILURE_WINDOW_SECONDS = 15 * 60

type Attempt = {
  admin: SuperAdmin | undefined
  email: string
  outcome: SignInOutcome
  action: string
  after?: Record<string, unknown>
}

/** Audit entry and sign-in history row for one attempt, in one transaction (with `also`). */
async function recordAttempt(
  db: Db,
  context: AuditContext,
  now: Date,
  attempt: Attempt,
  also?: (trx: Transaction<Database>) => Promise<void>,
) {
  const actor = attempt.admin ? { id: attempt.admin.id, email: attempt.admin.email } : null
  await db.transaction().execute(async (trx) => {
    await also?.(trx)
    await insertSignInAttempt(trx, {
      at: now,
      superAdminId: attempt.admin?.id ?? null,
      email: attempt.email,
      ip: context.ip ?? null,
      userAgent: context.userAgent ?? null,
      outcome: attempt.outcome,
    })
    await appendAuditEntry(
      trx,
      { ...context, actor },
      {
        action: attempt.action,
        targetType: 'super_admin',
        targetId: attempt.admin?.id ?? null,
        after: { email: attempt.email.slice(0, 320), outcome: attempt.outcome, ...attempt.after },
      },
      now,
    )
  })
}

/**
 * A refused attempt, already counted by `admitAttempt`: its history row and audit entry, plus an
 * `auth.lockout` entry when this attempt started or lengthened a lock — all in one transaction.
 */
async function recordRefusal(
  db: Db,
  context: AuditContext,
  now: Date,
  attempt: Attempt,
  admission: Admission | undefined,
  kind: FailureKind,
) {
  await recordAttempt(db, context, now, attempt, async (trx) => {
    if (!attempt.admin || !admission?.lockExtended) return
    await appendAuditEntry(
      trx,
      { ...context, actor: attempt.admin },
      {
        action: 'auth.lockout',
        targetType: 'super_admin',
        targetId: attempt.admin.id,
        after: {
          kind,
          failures: admission.failures,
          lockedUntil: admission.lockedUntil?.toISOString(),
        },
      },
      now,
    )
  })
}

/** What the audit log keeps of a typed email: never a password pasted into the wrong field. */
function auditableEmail(typed: string, admin: SuperAdmin | undefined): string {
  if (admin) return admin.email
  return /^[^\s@]{1,64}@[^\s@]{1,255}$/.test(typed) ? typed : '(not an email address)'
}

async function hitAddressLimit(db: Db, ip: string | null | undefined, now: Date) {
  return ip ? hitRateLimit(db, `sign-in-failure:${ip}`, IP_FAILURE_WINDOW_SECONDS, now) : 0
}

export type PasswordOutcome =
  | { ok: true; token: string; admin: SuperAdmin }
  | { ok: false; rateLimited: boolean; ssoOnly?: boolean }

/** Told to an SSO-only operator whose password was right: the way in is their identity provider. */
export const SSO_ONLY =
  'Your account signs in through your identity provider only. Use a "Continue with" button below.'

/**
 * Checks email and password (OWASP ASVS 5.0 §6.3). Refuses, with one message and the same work,
 * an unknown email, a wrong password, a locked or inactive account, and an address outside the
 * admin's own allowlist: a password is always verified (a decoy hash for unknown emails) so the
 * time does not tell them apart. An address with too many recent failures is refused first.
 * On success opens a half session (password only); TOTP must follow.
 */
export async function signInWithPassword(
  db: Db,
  context: AuditContext,
  email: string,
  password: string,
  now: Date,
): Promise<PasswordOutcome> {
  const ip = context.ip ?? null
  // Counted as a failure up front, in one atomic upsert, and forgiven on success: a check now and
  // a count after the slow hash would let a parallel burst through before any count lands.
  if ((await hitAddressLimit(db, ip, now)) > IP_FAILURE_LIMIT) {
    await recordAttempt(db, context, now, {
      admin: undefined,
      email,
      outcome: 'rate_limited',
      action: 'auth.login.rate_limited',
    })
    return { ok: false, rateLimited: true }
  }
  const admin = await findSuperAdminByEmail(db, email)
  // Counted before the hash is checked, so parallel guesses cannot outrun the lock.
  const admission = admin ? await admitAttempt(db, admin.id, 'password', now) : undefined
  const passwordOk = await verifyPassword(
    admin?.passwordHash ?? (await decoyPasswordHash()),
    password,
  )
  const fail = async (outcome: SignInOutcome, action: string) => {
    await recordRefusal(
      db,
      context,
      now,
      { admin, email: auditableEmail(email, admin), outcome, action },
      admission,
      'password',
    )
    return { ok: false as const, rateLimited: false }
  }
  if (admission && !admission.admitted) return fail('locked', 'auth.login.locked')
  if (!admin || !admin.passwordHash || !passwordOk || !admin.isActive)
    return fail('bad_password', 'auth.login.failed')
  if (!isAllowed(admin.ipAllowlist, ip)) return fail('ip_refused', 'auth.login.ip_refused')
  // Told only after the password was right, so the message reveals nothing to a guesser; the
  // attempt stays counted, as a right password must not open anything for this operator.
  if (admin.ssoOnly) return refuseSsoOnly(db, context, now, admin)
  const token = await openHalfSession(db, context, admin, now, 'auth.login.password_ok', {
    passwordProven: true,
  })
  return { ok: true, token, admin }
}

async function refuseSsoOnly(db: Db, context: AuditContext, now: Date, admin: SuperAdmin) {
  await db.transaction().execute((trx) =>
    appendAuditEntry(
      trx,
      { ...context, actor: admin },
      {
        action: 'auth.login.sso_required',
        targetType: 'super_admin',
        targetId: admin.id,
        after: { email: admin.email },
      },
      now,
    ),
  )
  return { ok: false as const, rateLimited: false, ssoOnly: true }
}

/** The half session (password or SSO proven, TOTP not yet) and its audit entry, in one transaction. */
async function openHalfSession(
  db: Db,
  context: AuditContext,
  admin: SuperAdmin,
  now: Date,
  action: string,
  o: { passwordProven?: boolean; after?: Record<string, unknown> } = {},
): Promise<string> {
  const ip = context.ip ?? null
  return db.transaction().execute(async (trx) => {
    if (ip) await releaseRateLimit(trx, `sign-in-failure:${ip}`, IP_FAILURE_WINDOW_SECONDS, now)
    // Only a right password forgives wrong ones: an SSO sign-in leaves a guesser's count alone.
    if (o.passwordProven) await resetFailures(trx, admin.id, ['password'])
    const { token } = await createSession(
      trx,
      admin.id,
      { twoFactorVerified: false, ip, userAgent: context.userAgent },
      now,
    )
    await appendAuditEntry(
      trx,
      { ...context, actor: admin },
      { action, targetType: 'super_admin', targetId: admin.id, after: o.after },
      now,
    )
    return token
  })
}

/** Why an SSO identity opened no session (audited as `reason`). */
export type SsoSignInRefusal =
  'unknown_email' | 'inactive' | 'no_totp' | 'locked' | 'ip_refused' | 'rate_limited'

export type SsoSignInOutcome =
  { ok: true; token: string; admin: SuperAdmin } | { ok: false; reason: SsoSignInRefusal }

/**
 * The first factor proven by an identity provider (issue 14 item 3): `email` is the provider's
 * verified email, matched case-insensitively to an existing, active operator — never creating
 * one. The operator must have TOTP enrolled, since TOTP is still required after SSO (seed 002);
 * a current lock, an address outside their allowlist or one over the failure limit refuse, as
 * for a password. Opens the same half session as the password step and audits
 * `auth.login.sso_ok`; refusals change nothing but the audit log (`auth.login.sso_refused`).
 */
export async function signInWithSso(
  db: Db,
  context: AuditContext,
  identity: { provider: string; email: string },
  now: Date,
): Promise<SsoSignInOutcome> {
  const ip = context.ip ?? null
  const admin = await findSuperAdminByEmail(db, identity.email)
  const refusal: SsoSignInRefusal | undefined =
    ip && (await hitAddressLimit(db, ip, now)) > IP_FAILURE_LIMIT
      ? 'rate_limited'
      : !admin
        ? 'unknown_email'
        : !admin.isActive
          ? 'inactive'
          : !admin.mfaEnabled || !admin.totpSecretEncrypted
            ? 'no_totp'
            : isLocked(admin.lockedUntil, now)
              ? 'locked'
              : !isAllowed(admin.ipAllowlist, ip)
                ? 'ip_refused'
                : undefined
  if (refusal || !admin) {
    await recordSsoRefusal(db, context, now, identity, admin, refusal ?? 'unknown_email')
    return { ok: false, reason: refusal ?? 'unknown_email' }
  }
  const token = await openHalfSession(db, context, admin, now, 'auth.login.sso_ok', {
    after: { provider: identity.provider },
  })
  return { ok: true, token, admin }
}

/**
 * Audits an SSO sign-in refused before any session: by the provider (`reason` from
 * src/auth/sso.ts) or by the operator match (`SsoSignInRefusal`). `admin` when the email is known.
 */
export async function recordSsoRefusal(
  db: Db,
  context: AuditContext,
  now: Date,
  identity: { provider: string; email?: string },
  admin: SuperAdmin | undefined,
  reason: string,
): Promise<void> {
  await db.transaction().execute((trx) =>
    appendAuditEntry(
      trx,
      { ...context, actor: admin ? { id: admin.id, email: admin.email } : null },
      {
        action: 'auth.login.sso_refused',
        targetType: 'super_admin',
        targetId: admin?.id ?? null,
        after: {
          provider: identity.provider,
          reason,
          ...(identity.email ? { email: identity.email.slice(0, 320) } : {}),
        },
      },
      now,
    ),
  )
}

export type TotpOutcome =
  | { ok: true; token: string; replayNotice: { at: Date; ip: string | null } | null }
  | { ok: false; locked: boolean }

/**
 * Checks a TOTP code for the admin of a session: ±1 step, each step accepted once (RFC 6238
 * §5.2), consumed by one compare-and-set statement. A wrong code counts toward the TOTP lockout
 * counter; a replayed code is refused, counted, audited and remembered so the admin is told at
 * the next sign-in. Modes:
 * - `sign-in` / `enrol`: replaces the half session by a new, fully verified one and audits
 *   `auth.login` (`enrol` also confirms the pending TOTP key);
 * - `step-up`: rotates the full session (new id, same sign-in time) and audits `auth.step_up`.
 * @throws Error when the stored secret does not decrypt with `totpKey`; nothing is counted.
 */
export async function verifyTotp(
  db: Db,
  context: AuditContext,
  admin: SuperAdmin,
  session: Session,
  code: string,
  totpKey: Buffer,
  now: Date,
  mode: 'sign-in' | 'enrol' | 'step-up',
): Promise<TotpOutcome> {
  const actorContext = { ...context, actor: admin }
  const prefix =
    mode === 'step-up' ? 'auth.step_up' : mode === 'enrol' ? 'super_admin.enrol_totp' : 'auth.login'
  // Opened before the attempt is counted: a secret this server cannot decrypt (a changed
  // FLEETDECK_SECRET_KEY) is a server fault that throws (500), never the admin's failed code.
  const secret = admin.totpSecretEncrypted
    ? decryptSecret(totpKey, admin.totpSecretEncrypted)
    : undefined
  const admission = await admitAttempt(db, admin.id, 'totp', now)
  if (!admission.admitted) {
    await recordRefusal(
      db,
      context,
      now,
      { admin, email: admin.email, outcome: 'locked', action: `${prefix}.locked` },
      admission,
      'totp',
    )
    return { ok: false, locked: true }
  }
  const check = secret
    ? checkTotpCode(secret, code, now.getTime(), admin.totpLastStep)
    : { ok: false as const, replayed: false }
  if (!check.ok) return refuseCode(db, context, now, admin, check.replayed, prefix, admission)
  const result = await db.transaction().execute(async (trx) => {
    if (!(await consumeTotpStep(trx, admin.id, check.step, { enableMfa: mode === 'enrol' })))
      return undefined
    await resetFailures(trx, admin.id, ['password', 'totp'])
    let token: string
    if (mode === 'step-up') {
      token = (
        await rotateSession(trx, session, now, { ip: context.ip, userAgent: context.userAgent })
      ).token
    } else {
      await invalidateSession(trx, session.id)
      token = (
        await createSession(
          trx,
          admin.id,
          { twoFactorVerified: true, ip: context.ip, userAgent: context.userAgent },
          now,
        )
      ).token
      await recordSuperAdminLogin(trx, admin.id, now)
      await setTotpReplayNotice(trx, admin.id, null)
      await insertSignInAttempt(trx, {
        at: now,
        superAdminId: admin.id,
        email: admin.email,
        ip: context.ip ?? null,
        userAgent: context.userAgent ?? null,
        outcome: 'success',
      })
    }
    if (mode === 'enrol') {
      await appendAuditEntry(
        trx,
        actorContext,
        {
          action: 'super_admin.enrol_totp',
          targetType: 'super_admin',
          targetId: admin.id,
          after: { mfaEnabled: true },
        },
        now,
      )
    }
    await appendAuditEntry(
      trx,
      actorContext,
      {
        action: mode === 'step-up' ? 'auth.step_up' : 'auth.login',
        targetType: 'super_admin',
        targetId: admin.id,
      },
      now,
    )
    return token
  })
  // Lost the compare-and-set: the same step was consumed a moment ago by another request.
  if (!result) return refuseCode(db, context, now, admin, true, prefix, admission)
  const replayNotice =
    mode !== 'step-up' && admin.totpReplayAt
      ? { at: admin.totpReplayAt, ip: admin.totpReplayIp }
      : null
  return { ok: true, token: result, replayNotice }
}

async function refuseCode(
  db: Db,
  context: AuditContext,
  now: Date,
  admin: SuperAdmin,
  replayed: boolean,
  prefix: string,
  admission: Admission,
): Promise<TotpOutcome> {
  const outcome: SignInOutcome = replayed ? 'totp_replayed' : 'bad_totp'
  const action = replayed ? 'auth.totp.replayed' : `${prefix}.failed`
  await recordRefusal(
    db,
    context,
    now,
    { admin, email: admin.email, outcome, action },
    admission,
    'totp',
  )
  if (replayed) {
    await setTotpReplayNotice(db, admin.id, { at: now, ip: context.ip ?? null })
  }
  await hitAddressLimit(db, context.ip, now)
  return { ok: false, locked: isLocked(admission.lockedUntil, now) }
}
