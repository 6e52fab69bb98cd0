import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { listSpentEnrolmentLinkIds } from '../db/super-admins.js'
import type { DomainResult } from '../domain-result.js'
import { listOutboxMail, type OutboxMail } from '../mail/mailer.js'

// The development outbox holds invitation links, which work as credentials until used: reading
// it is audited like any privileged action, and a mail whose links are all spent leaves it.

/** `/enrol/<id>.<secret>`: the id names the link row; the secret stays in the mail. */
const ENROL_LINK = /\/enrol\/([a-z2-7]{32})\.[a-z2-7]{32}/g

function linkIds(mail: OutboxMail): string[] {
  return [...mail.text.matchAll(ENROL_LINK)].map((match) => match[1])
}

/**
 * The outbox as the reader may see it, newest first: mails without an enrolment link, and mails
 * with at least one link that is neither used nor revoked. Audits `mail.outbox.read` (who read
 * it, which mails were shown, how many were left out) in one transaction.
 */
export async function readOutbox(
  db: Db,
  context: AuditContext,
  now: Date,
): Promise<DomainResult<{ mails: OutboxMail[] }>> {
  return db.transaction().execute(async (trx) => {
    const all = await listOutboxMail(trx)
    const spent = await listSpentEnrolmentLinkIds(trx, all.flatMap(linkIds))
    const mails = all.filter((mail) => {
      const ids = linkIds(mail)
      return ids.length === 0 || ids.some((id) => !spent.has(id))
    })
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'mail.outbox.read',
        targetType: 'mail_outbox',
        targetId: null,
        after: { shown: mails.map((mail) => mail.id), spentLinksHidden: all.length - mails.length },
      },
      now,
    )
    return { ok: true as const, mails }
  })
}
