import type { Db } from '../db/database.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import { consumeTotpStep, findSuperAdminByEmail, recordSuperAdminLogin, type SuperAdmin } from '../db/super-admins.js'
import { decryptSecret } from './encryption.js'
import { decoyPasswordHash, verifyPassword } from './password.js'
import { createSession, invalidateSession, type Session } from './session.js'
import { matchTotpStep } from './totp.js'

// The two steps of super-admin sign-in (DESIGN.md §5): password, then TOTP. Each returns a value
// for the expected outcomes; the caller turns them into pages. Every outcome is audited.

/** One message for unknown email, wrong password and inactive account: nothing to enumerate. */
export const SIGN_IN_FAILED = 'Email or password is incorrect.'

/**
 * Checks email and password. On success opens a half session (password only) in the same
 * transaction as its audit entry; the TOTP step (or enrolment) must follow.
 * Unknown emails verify against a decoy hash so they take as long as a wrong password.
 */
export async function signInWithPassword(
  db: Db,
  context: AuditContext,
  email: string,
  password: string,
  now: Date,
): Promise<{ ok: true; token: string; admin: SuperAdmin } | { ok: false }> {
  const admin = await findSuperAdminByEmail(db, email)
  const passwordOk = await verifyPassword(admin?.passwordHash ?? (await decoyPasswordHash()), password)
  if (!admin || !admin.passwordHash || !passwordOk || !admin.isActive) {
    await audit(db, { ...context, actor: admin ? { id: admin.id, email: admin.email } : null }, 'auth.login.failed', now, {
      email: email.slice(0, 320),
      reason: 'password',
    })
    return { ok: false }
  }
  const token = await db.transaction().execute(async (trx) => {
    const { token } = await createSession(trx, admin.id, { twoFactorVerified: false, ip: context.ip, userAgent: context.userAgent }, now)
    await appendAuditEntry(trx, { ...context, actor: admin }, { action: 'auth.login.password_ok', targetType: 'super_admin', targetId: admin.id }, now)
    return token
  })
  return { ok: true, token, admin }
}

/**
 * Checks a TOTP code for the admin of a half session: ±1 step, each step accepted once
 * (RFC 6238 §5.2), consumed atomically. On success the half session is replaced by a new, fully
 * verified one (the session id changes when privilege changes) and the sign-in is audited.
 * With `enrol`, the same code also confirms a pending TOTP enrolment.
 */
export async function completeTotpStep(
  db: Db,
  context: AuditContext,
  admin: SuperAdmin,
  halfSession: Session,
  code: string,
  totpKey: Buffer,
  now: Date,
  options: { enrol: boolean },
): Promise<{ ok: true; token: string } | { ok: false }> {
  const actorContext = { ...context, actor: admin }
  const secret = admin.totpSecretEncrypted ? decryptSecret(totpKey, admin.totpSecretEncrypted) : undefined
  const step = secret && matchTotpStep(secret, code, now.getTime(), admin.totpLastStep)
  const failAction = options.enrol ? 'super_admin.enrol_totp.failed' : 'auth.login.failed'
  if (step === undefined || !secret) {
    await audit(db, actorContext, failAction, now, { reason: 'totp' })
    return { ok: false }
  }
  const token = await db.transaction().execute(async (trx) => {
    if (!(await consumeTotpStep(trx, admin.id, step, { enableMfa: options.enrol }))) return undefined
    await invalidateSession(trx, halfSession.id)
    const { token } = await createSession(trx, admin.id, { twoFactorVerified: true, ip: context.ip, userAgent: context.userAgent }, now)
    await recordSuperAdminLogin(trx, admin.id, now)
    if (options.enrol) {
      await appendAuditEntry(trx, actorContext, { action: 'super_admin.enrol_totp', targetType: 'super_admin', targetId: admin.id, after: { mfaEnabled: true } }, now)
    }
    await appendAuditEntry(trx, actorContext, { action: 'auth.login', targetType: 'super_admin', targetId: admin.id }, now)
    return token
  })
  if (!token) {
    await audit(db, actorContext, failAction, now, { reason: 'totp_replayed' })
    return { ok: false }
  }
  return { ok: true, token }
}

async function audit(db: Db, context: AuditContext, action: string, now: Date, after: Record<string, unknown>) {
  await db.transaction().execute((trx) => appendAuditEntry(trx, context, { action, targetType: 'super_admin', targetId: context.actor?.id ?? null, after }, now))
}
