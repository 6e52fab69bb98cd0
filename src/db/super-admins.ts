import { sql } from 'kysely'
import type { Db } from './database.js'
import type { OperatorRole, SuperAdminRow } from './schema.js'

export type SuperAdmin = {
  id: string
  email: string
  name: string
  role: OperatorRole
  isActive: boolean
  passwordHash: string | null
  totpSecretEncrypted: string | null
  totpLastStep: number | null
  mfaEnabled: boolean
  lastLoginAt: Date | null
  createdAt: Date
  createdBy: string | null
  ipAllowlist: string[]
  failedPasswordCount: number
  failedTotpCount: number
  lockedUntil: Date | null
  /** When a replayed TOTP code was refused, until the admin has been told at sign-in. */
  totpReplayAt: Date | null
  totpReplayIp: string | null
}

function toSuperAdmin(row: SuperAdminRow): SuperAdmin {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    isActive: row.is_active,
    passwordHash: row.password_hash,
    totpSecretEncrypted: row.totp_secret_encrypted,
    totpLastStep: row.totp_last_step,
    mfaEnabled: row.mfa_enabled,
    lastLoginAt: row.last_login_at,
    createdAt: row.created_at,
    createdBy: row.created_by,
    ipAllowlist: row.ip_allowlist,
    failedPasswordCount: row.failed_password_count,
    failedTotpCount: row.failed_totp_count,
    lockedUntil: row.locked_until,
    totpReplayAt: row.totp_replay_at,
    totpReplayIp: row.totp_replay_ip,
  }
}

/** Case-insensitive lookup; undefined when no such admin. */
export async function findSuperAdminByEmail(db: Db, email: string): Promise<SuperAdmin | undefined> {
  const row = await db
    .selectFrom('super_admins')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.trim().toLowerCase())
    .executeTakeFirst()
  return row && toSuperAdmin(row)
}

export async function findSuperAdminById(db: Db, id: string): Promise<SuperAdmin | undefined> {
  const row = await db.selectFrom('super_admins').selectAll().where('id', '=', id).executeTakeFirst()
  return row && toSuperAdmin(row)
}

export async function countSuperAdmins(db: Db): Promise<number> {
  const row = await db
    .selectFrom('super_admins')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Inserts an admin who has no password and no TOTP yet: unusable until enrolment completes. */
export async function insertSuperAdmin(
  db: Db,
  admin: { email: string; name: string; role: OperatorRole; createdBy?: string | null },
): Promise<SuperAdmin> {
  const row = await db
    .insertInto('super_admins')
    .values({
      id: crypto.randomUUID(),
      email: admin.email.trim(),
      name: admin.name.trim(),
      role: admin.role,
      created_by: admin.createdBy ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return toSuperAdmin(row)
}

export async function setSuperAdminPassword(db: Db, id: string, passwordHash: string): Promise<void> {
  await db.updateTable('super_admins').set({ password_hash: passwordHash }).where('id', '=', id).execute()
}

/** Stores a TOTP key that is not yet confirmed (mfa_enabled stays false). */
export async function setPendingTotpSecret(db: Db, id: string, encrypted: string): Promise<void> {
  await db
    .updateTable('super_admins')
    .set({ totp_secret_encrypted: encrypted, totp_last_step: null })
    .where('id', '=', id)
    .where('mfa_enabled', '=', false)
    .execute()
}

/**
 * Marks TOTP step `step` as used, in one compare-and-set statement: it succeeds only when no
 * step at or after it was used before, so two requests racing with the same code cannot both
 * pass (RFC 6238 §5.2: a verifier must not accept the second attempt of a valid OTP).
 * With `enableMfa`, the same statement confirms enrolment.
 * @returns true when this call consumed the step.
 */
export async function consumeTotpStep(
  db: Db,
  id: string,
  step: number,
  options: { enableMfa?: boolean } = {},
): Promise<boolean> {
  const result = await db
    .updateTable('super_admins')
    .set({ totp_last_step: step, ...(options.enableMfa ? { mfa_enabled: true } : {}) })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function recordSuperAdminLogin(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable('super_admins').set({ last_login_at: at }).where('id', '=', id).execute()
}

/** Id and email, for filters and audit context. */
export async function listSuperAdminNames(db: Db) {
  return db.selectFrom('super_admins').select(['id', 'email', 'name']).orderBy('email').execute()
}
