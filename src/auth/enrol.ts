import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import {
  countSuperAdmins,
  findSuperAdminByEmail,
  findSuperAdminById,
  insertSuperAdmin,
  lockFirstOwnerCreation,
  setSuperAdminPassword,
  type SuperAdmin,
} from '../db/super-admins.js'
import { consumeEnrolmentToken, type EnrolmentToken } from './enrolment.js'
import { hashPassword } from './password.js'
import { createSession } from './session.js'

/**
 * Completes the password part of a one-time link, in one transaction: consumes the token
 * (compare-and-set, so a link works once), creates the first owner (setup) or sets the invited
 * admin's password (enrolment), audits it, and opens a half session for TOTP enrolment.
 * @returns the session token, or a reason the link cannot be used any more.
 */
export async function completePasswordEnrolment(
  db: Db,
  context: AuditContext,
  link: EnrolmentToken,
  input: { email?: string; name?: string; password: string },
  now: Date,
): Promise<
  | { ok: true; token: string; admin: SuperAdmin }
  | { ok: false; reason: 'link_used' | 'email_taken' }
> {
  const passwordHash = await hashPassword(input.password)
  return db.transaction().execute(async (trx) => {
    if (!(await consumeEnrolmentToken(trx, link.id, now)))
      return { ok: false as const, reason: 'link_used' as const }
    let admin: SuperAdmin
    if (link.purpose === 'setup') {
      // Two setup links used at the same moment must not make two first owners.
      await lockFirstOwnerCreation(trx)
      if ((await countSuperAdmins(trx)) > 0)
        return { ok: false as const, reason: 'link_used' as const }
      if (await findSuperAdminByEmail(trx, input.email!))
        return { ok: false as const, reason: 'email_taken' as const }
      admin = await insertSuperAdmin(trx, { email: input.email!, name: input.name!, role: 'owner' })
    } else {
      const found = await findSuperAdminById(trx, link.superAdminId!)
      if (!found || found.passwordHash) return { ok: false as const, reason: 'link_used' as const }
      admin = found
    }
    await setSuperAdminPassword(trx, admin.id, passwordHash)
    const actorContext = { ...context, actor: { id: admin.id, email: admin.email } }
    await appendAuditEntry(
      trx,
      actorContext,
      {
        action: link.purpose === 'setup' ? 'super_admin.setup' : 'super_admin.enrol_password',
        targetType: 'super_admin',
        targetId: admin.id,
        after: { email: admin.email, name: admin.name, role: admin.role },
      },
      now,
    )
    const { token } = await createSession(
      trx,
      admin.id,
      { twoFactorVerified: false, ip: context.ip, userAgent: context.userAgent },
      now,
    )
    return { ok: true as const, token, admin }
  })
}
