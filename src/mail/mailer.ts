import { createTransport } from 'nodemailer'
import type { Config } from '../config.js'
import type { Db } from '../db/database.js'

// Outgoing mail (invitations). With SMTP_URL, nodemailer sends over SMTP; without it, mail is
// written to `mail_outbox`, the development outbox the console shows at /super-admins/outbox.

/** One plain-text message; `from` is always MAIL_FROM. */
export type OutgoingMail = { to: string; subject: string; text: string }

/** How a message left: over SMTP (with the server's message id) or into the outbox (row id). */
export type MailDelivery = { via: 'smtp'; messageId: string } | { via: 'outbox'; id: number }

/** What sendMail needs of a transport; a nodemailer transporter is one. Tests pass jsonTransport. */
export type MailTransport = {
  sendMail(message: OutgoingMail & { from: string }): Promise<{ messageId?: string }>
  close?(): void
}

/** A row of the development outbox. */
export type OutboxMail = OutgoingMail & { id: number; createdAt: Date }

/** SMTP limits, in milliseconds: a dead server must not hold a request for nodemailer's minutes. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }

/**
 * Sends one message: through `options.transport` when given (tests), else over SMTP when
 * `config.smtpUrl` is set (a new nodemailer transport per call, closed afterwards), else into
 * the development outbox (one insert on `db`, so inside a transaction when `db` is one).
 * Never call it with a transaction when SMTP may be used: a network wait would hold its locks.
 * @param options.now the outbox row's time (default: now)
 * @throws the transport's error when the SMTP server cannot be reached or refuses the message
 *   (after at most ~10 s to connect, 10 s for its greeting, 30 s of silence); database errors
 */
export async function sendMail(
  db: Db,
  config: Pick<Config, 'smtpUrl' | 'mailFrom'>,
  mail: OutgoingMail,
  options: { transport?: MailTransport; now?: Date } = {},
): Promise<MailDelivery> {
  const transport =
    options.transport ?? (config.smtpUrl ? smtpTransport(config.smtpUrl) : undefined)
  if (!transport) {
    const row = await db
      .insertInto('mail_outbox')
      .values({
        created_at: options.now ?? new Date(),
        to_address: mail.to,
        subject: mail.subject,
        body: mail.text,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return { via: 'outbox', id: Number(row.id) }
  }
  try {
    const info = await transport.sendMail({
      from: config.mailFrom,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
    })
    return { via: 'smtp', messageId: info.messageId ?? '' }
  } finally {
    if (!options.transport) transport.close?.()
  }
}

function smtpTransport(smtpUrl: string): MailTransport {
  return createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS }) as unknown as MailTransport
}

/** The development outbox, newest first; `limit` rows (default 50). */
export async function listOutboxMail(db: Db, limit = 50): Promise<OutboxMail[]> {
  const rows = await db
    .selectFrom('mail_outbox')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return rows.map((row) => ({
    id: Number(row.id),
    createdAt: row.created_at,
    to: row.to_address,
    subject: row.subject,
    text: row.body,
  }))
}
