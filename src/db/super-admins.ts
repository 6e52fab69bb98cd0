import { sql, type Transaction } from 'kysely'
import type { Db } from './database.js'
import type { Refusal } from '../domain-result.js'
import type { Database, OperatorRole, SuperAdminRow } from './schema.js'

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
  /** Password sign-in refused: this operator signs in through an identity provider (issue 14). */
  ssoOnly: boolean
}

/** A `super_admins` row in camelCase (also used by the session lookup, which joins it). */
export function toSuperAdmin(row: SuperAdminRow): SuperAdmin {
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
    ssoOnly: row.sso_only,
  }
}

/** Case-insensitive lookup; undefined when no such admin. */
export async function findSuperAdminByEmail(
  db: Db,
  email: string,
): Promise<SuperAdmin | undefined> {
  const row = await db
    .selectFrom('super_admins')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.trim().toLowerCase())
    .executeTakeFirst()
  return row && toSuperAdmin(row)
}

export async function findSuperAdminById(db: Db, id: string): Promise<SuperAdmin | undefined> {
  const row = await db
    .selectFrom('super_admins')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
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

export async function setSuperAdminPassword(
  db: Db,
  id: string,
  passwordHash: string,
): Promise<void> {
  await db
    .updateTable('super_admins')
    .set({ password_hash: passwordHash })
    .where('id', '=', id)
    .execute()
}

/**
 * Stores a TOTP key that is not yet confirmed (mfa_enabled stays false), unless one is already
 * pending. Returns the pending key as stored (encrypted): this one, or the one already there.
 */
export async function setPendingTotpSecret(
  db: Db,
  id: string,
  encrypted: string,
): Promise<string | undefined> {
  // Only when none is pending: two tabs opening enrolment at once must end up with one key.
  await db
    .updateTable('super_admins')
    .set({ totp_secret_encrypted: encrypted, totp_last_step: null })
    .where('id', '=', id)
    .where('mfa_enabled', '=', false)
    .where('totp_secret_encrypted', 'is', null)
    .execute()
  const row = await db
    .selectFrom('super_admins')
    .select('totp_secret_encrypted')
    .where('id', '=', id)
    .executeTakeFirst()
  return row?.totp_secret_encrypted ?? undefined
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

/** One row of the super admins list; `invitedBy` is null for the setup owner and CLI-made admins. */
export type SuperAdminListItem = {
  id: string
  email: string
  name: string
  role: OperatorRole
  isActive: boolean
  mfaEnabled: boolean
  /** True until the admin has set a password through their invitation (or enrolment) link. */
  invitationPending: boolean
  lastLoginAt: Date | null
  createdAt: Date
  invitedBy: { id: string; email: string } | null
}

/** Every super admin with the email of whoever invited them, ordered by email. */
export async function listSuperAdmins(db: Db): Promise<SuperAdminListItem[]> {
  const rows = await db
    .selectFrom('super_admins as a')
    .leftJoin('super_admins as inviter', 'inviter.id', 'a.created_by')
    .select([
      'a.id',
      'a.email',
      'a.name',
      'a.role',
      'a.is_active',
      'a.mfa_enabled',
      'a.last_login_at',
      'a.created_at',
      'a.created_by',
      'inviter.email as inviter_email',
    ])
    .select((eb) => eb('a.password_hash', 'is', null).as('pending'))
    .orderBy(sql`lower(a.email)`)
    .execute()
  return rows.map((row) => ({
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    isActive: row.is_active,
    mfaEnabled: row.mfa_enabled,
    invitationPending: Boolean(row.pending),
    lastLoginAt: row.last_login_at,
    createdAt: row.created_at,
    invitedBy:
      row.created_by && row.inviter_email ? { id: row.created_by, email: row.inviter_email } : null,
  }))
}

/** Why a change to an owner was refused: it would leave no active owner. */
export type LastOwnerRefusal = Refusal<'last_owner'>

function assertTransaction(db: Db, caller: string): void {
  if (!db.isTransaction) throw new Error(`${caller} must run inside a transaction`)
}

/**
 * Locks the rows of every active owner, in id order (so two callers never deadlock), then the
 * target's row; both locks hold to the end of the transaction. A second transaction that wants
 * to demote or deactivate an owner waits here and then sees the first one's result, so two
 * concurrent changes cannot both remove "the other" owner.
 */
async function lockOwnersAndTarget(trx: Db, id: string) {
  const owners = await trx
    .selectFrom('super_admins')
    .select('id')
    .where('role', '=', 'owner')
    .where('is_active', '=', true)
    .orderBy('id')
    .forUpdate()
    .execute()
  const row = await trx
    .selectFrom('super_admins')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
  const target = row && toSuperAdmin(row)
  const isLastOwner =
    !!target &&
    target.role === 'owner' &&
    target.isActive &&
    owners.every((o) => o.id === target.id)
  return { target, isLastOwner }
}

/**
 * Gives admin `id` a new role, refusing to demote the last active owner (issue #3). The owner
 * rows are locked first (see lockOwnersAndTarget), so the check and the update are one decision.
 * @param trx a transaction; the caller audits the change in it
 * @returns undefined when no such admin; the refusal; or the role before the change
 * @throws Error when called outside a transaction
 */
export async function changeSuperAdminRole(
  trx: Db,
  id: string,
  role: OperatorRole,
): Promise<{ ok: true; before: OperatorRole } | LastOwnerRefusal | undefined> {
  assertTransaction(trx, 'changeSuperAdminRole')
  const { target, isLastOwner } = await lockOwnersAndTarget(trx, id)
  if (!target) return undefined
  if (isLastOwner && role !== 'owner') return { ok: false, reason: 'last_owner' }
  await trx.updateTable('super_admins').set({ role }).where('id', '=', id).execute()
  return { ok: true, before: target.role }
}

/**
 * Deactivates (`active` false) or reactivates admin `id`, refusing to deactivate the last active
 * owner (same locking as changeSuperAdminRole). Sessions are not touched here: the caller ends
 * them in the same transaction (src/auth/session.ts invalidateSuperAdminSessions).
 * @returns undefined when no such admin; the refusal; or whether the flag changed
 * @throws Error when called outside a transaction
 */
export async function setSuperAdminActive(
  trx: Db,
  id: string,
  active: boolean,
): Promise<{ ok: true; changed: boolean } | LastOwnerRefusal | undefined> {
  assertTransaction(trx, 'setSuperAdminActive')
  const { target, isLastOwner } = await lockOwnersAndTarget(trx, id)
  if (!target) return undefined
  if (target.isActive === active) return { ok: true, changed: false }
  if (isLastOwner && !active) return { ok: false, reason: 'last_owner' }
  await trx.updateTable('super_admins').set({ is_active: active }).where('id', '=', id).execute()
  return { ok: true, changed: true }
}

/**
 * Forgets admin `id`'s TOTP key: secret, last used step and mfa_enabled, in one compare-and-set
 * statement, so the next sign-in after the password goes to TOTP enrolment (DESIGN.md §5). The
 * TOTP failure count and the lock go too: an admin who lost the device and locked the account
 * trying must be able to re-enrol at once (src/auth/lockout.ts).
 * @returns true when an enrolled authenticator was reset; false when there was none
 */
export async function resetSuperAdminTotp(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('super_admins')
    .set({
      totp_secret_encrypted: null,
      totp_last_step: null,
      mfa_enabled: false,
      failed_totp_count: 0,
      locked_until: null,
    })
    .where('id', '=', id)
    .where('mfa_enabled', '=', true)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * Marks every unused invitation or enrolment link of admin `id` as used at `now`, so an older
 * link stops working when a new one is sent or the admin is deactivated.
 * @returns how many links were revoked
 */
export async function revokeEnrolmentLinks(db: Db, id: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('enrolment_tokens')
    .set({ used_at: now })
    .where('super_admin_id', '=', id)
    .where('purpose', 'in', ['invitation', 'enrolment'])
    .where('used_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/**
 * Replaces admin `id`'s own IP allowlist (CIDRs; [] = any address, the global list still
 * applies). Run inside the transaction that audits it.
 */
export async function setSuperAdminAllowlist(db: Db, id: string, entries: string[]): Promise<void> {
  await db.updateTable('super_admins').set({ ip_allowlist: entries }).where('id', '=', id).execute()
}

/**
 * Which of the given enrolment link ids can no longer be used: used, or revoked (a revoked link
 * is marked used). Ids that match no link are left out.
 * @param ids link ids, the part before the dot of `/enrol/<id>.<secret>`
 */
export async function listSpentEnrolmentLinkIds(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db
    .selectFrom('enrolment_tokens')
    .select('id')
    .where('id', 'in', ids)
    .where('used_at', 'is not', null)
    .execute()
  return new Set(rows.map((row) => row.id))
}

/**
 * Remembers that a replayed TOTP code of this admin was refused (when, from where), so the admin
 * is told at the next sign-in; `at` and `ip` null clear it (told).
 */
export async function setTotpReplayNotice(
  db: Db,
  id: string,
  notice: { at: Date; ip: string | null } | null,
): Promise<void> {
  await db
    .updateTable('super_admins')
    .set({ totp_replay_at: notice?.at ?? null, totp_replay_ip: notice?.ip ?? null })
    .where('id', '=', id)
    .execute()
}

/**
 * Serialises the creation of the first owner: two setup links used at the same moment must not
 * make two first owners. A transaction-level advisory lock, released at commit or rollback.
 */
export async function lockFirstOwnerCreation(trx: Transaction<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('fleetdeck.first-owner'))`.execute(trx)
}

/**
 * Sets whether admin `id` may sign in through SSO only, locking the row first; returns the value
 * before, or undefined when there is no such admin (issue 14 item 3).
 */
export async function setSuperAdminSsoOnly(
  trx: Transaction<Database>,
  id: string,
  ssoOnly: boolean,
): Promise<{ before: boolean } | undefined> {
  const row = await trx
    .selectFrom('super_admins')
    .select('sso_only')
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
  if (!row) return undefined
  if (row.sso_only !== ssoOnly)
    await trx.updateTable('super_admins').set({ sso_only: ssoOnly }).where('id', '=', id).execute()
  return { before: row.sso_only }
}
