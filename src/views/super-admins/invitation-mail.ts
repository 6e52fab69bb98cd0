import type { OperatorRole } from '../../db/schema.js'
import { formatDateTime } from '../format.js'

/** The invitation email: who invited whom as what, the link, and until when it works. */
export function invitationMail(p: {
  to: string
  name: string
  role: OperatorRole
  inviter: { name: string; email: string }
  link: string
  expiresAt: Date
}) {
  return {
    to: p.to,
    subject: 'Your invitation to Fleetdeck',
    text: [
      `Hello ${p.name},`,
      '',
      `${p.inviter.name} (${p.inviter.email}) invited you to Fleetdeck, the super-admin console, with the role ${p.role}.`,
      '',
      'Open this link to set your password, then enrol an authenticator app (required):',
      p.link,
      '',
      `The link works once and is valid for 72 hours, until ${formatDateTime(p.expiresAt)}.`,
      'If you did not expect this invitation, ignore this email.',
    ].join('\n'),
  }
}
