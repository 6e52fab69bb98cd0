import {
  createEnrolmentToken,
  ENROLMENT_TTL_SECONDS,
  INVITATION_TTL_SECONDS,
} from '../auth/enrolment.js'
import type { Config } from '../config.js'
import type { AuditContext } from '../db/audit-log.js'
import { appendAuditEntry } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import type { OperatorRole } from '../db/schema.js'
import {
  findSuperAdminByEmail,
  insertSuperAdmin,
  revokeEnrolmentLinks,
  type SuperAdmin,
} from '../db/super-admins.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { sendMail, type MailDelivery } from '../mail/mailer.js'
import { invitationMail } from '../views/super-admins/invitation-mail.js'

// Inviting a super admin: the admin row (no password, no TOTP), a one-time link, and the audit
// entry, in one transaction — from the console and from `npm run create-super-admin` alike.

export type InviteInput = { email: string; name: string; role: OperatorRole }

/**
 * Where the invitation comes from. The console mails a 72-hour `invitation` link; the CLI prints
 * a one-hour `enrolment` link to whoever runs it on the server, who hands it over in person.
 */
export type InvitationSource = { via: 'console'; invitedBy: string } | { via: 'cli' }

/** A new admin and the token of their link (`/enrol/<token>`), valid until `expiresAt`. */
export type Invitation = { operator: SuperAdmin; token: string; expiresAt: Date }

const LINKS = {
  console: { purpose: 'invitation', ttlSeconds: INVITATION_TTL_SECONDS },
  cli: { purpose: 'enrolment', ttlSeconds: ENROLMENT_TTL_SECONDS },
} as const

/**
 * Invites `input.email` as a super admin: inserts the admin, creates the link and audits
 * `super_admin.invite` (after: email, name, role, expiresAt, and `via: 'cli'` from the CLI), in
 * one transaction.
 * @returns the admin and the link's token; `email_taken` when an admin has this email (checked
 *   case-insensitively, and by the unique index when two invitations race)
 */
export async function inviteOperator(
  db: Db,
  context: AuditContext,
  input: InviteInput,
  source: InvitationSource,
  now: Date,
): Promise<DomainResult<Invitation, 'email_taken'>> {
  const link = LINKS[source.via]
  const expiresAt = new Date(now.getTime() + link.ttlSeconds * 1000)
  try {
    return await db.transaction().execute(async (trx) => {
      if (await findSuperAdminByEmail(trx, input.email)) return refuse('email_taken')
      const createdBy = source.via === 'console' ? source.invitedBy : null
      const operator = await insertSuperAdmin(trx, { ...input, createdBy })
      const token = await createEnrolmentToken(trx, link.purpose, operator.id, now, link.ttlSeconds)
      const { email, name, role } = operator
      const after = { email, name, role, expiresAt: expiresAt.toISOString() }
      await appendAuditEntry(
        trx,
        context,
        {
          action: 'super_admin.invite',
          targetType: 'super_admin',
          targetId: operator.id,
          after: source.via === 'cli' ? { ...after, via: 'cli' } : after,
        },
        now,
      )
      return { ok: true as const, operator, token, expiresAt }
    })
  } catch (err) {
    // Two invitations of one address at once: the unique index on lower(email) decides.
    if ((err as { code?: string }).code === '23505') return refuse('email_taken')
    throw err
  }
}

/**
 * A new invitation link for an admin who has not accepted yet: older links are revoked, the new
 * one lasts 72 hours, and `super_admin.invite_resend` is audited, in one transaction.
 * @returns the new token; `no_pending_invitation` when the admin has a password or is deactivated
 */
export async function renewInvitation(
  db: Db,
  context: AuditContext,
  operator: SuperAdmin,
  now: Date,
): Promise<DomainResult<Omit<Invitation, 'operator'>, 'no_pending_invitation'>> {
  if (operator.passwordHash !== null || !operator.isActive) return refuse('no_pending_invitation')
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_SECONDS * 1000)
  const token = await db.transaction().execute(async (trx) => {
    const revoked = await revokeEnrolmentLinks(trx, operator.id, now)
    const token = await createEnrolmentToken(
      trx,
      'invitation',
      operator.id,
      now,
      INVITATION_TTL_SECONDS,
    )
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'super_admin.invite_resend',
        targetType: 'super_admin',
        targetId: operator.id,
        after: { linksRevoked: revoked, expiresAt: expiresAt.toISOString() },
      },
      now,
    )
    return token
  })
  return { ok: true, token, expiresAt }
}

/**
 * Mails the link, after the transaction committed: a mail never goes out for an admin who was
 * rolled back, and no SMTP wait holds a transaction open. Without SMTP_URL the mail goes to the
 * development outbox.
 * @returns how it left (over SMTP, or into the outbox)
 * @throws the transport's error when the SMTP server cannot be reached or refuses the message;
 *   the invitation still exists, and a new link can be sent from the admin's page
 */
export async function deliverInvitation(
  db: Db,
  config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'publicUrl' | 'secretKey'>,
  invitation: Invitation,
  inviter: { name: string; email: string },
  now: Date,
): Promise<MailDelivery> {
  const { operator, token, expiresAt } = invitation
  const mail = invitationMail({
    to: operator.email,
    name: operator.name,
    role: operator.role,
    inviter,
    link: `${config.publicUrl}/enrol/${token}`,
    expiresAt,
  })
  return sendMail(db, config, mail, { now })
}
