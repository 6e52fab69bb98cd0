import { createTransport } from 'nodemailer'
import { decryptSecret, deriveKey, encryptSecret } from '../auth/encryption.js'
import type { Config } from '../config.js'
import type { Db } from '../db/database.js'
import { findMailRelay, type StoredMailRelay } from '../db/mail-relay.js'

// Outgoing mail (invitations, the relay's test mail). The SaaS email relay saved at
// /settings/mail comes first; else SMTP_URL; else mail is written to `mail_outbox`, the
// development outbox the console shows at /super-admins/outbox.

/** One plain-text message; `from` is the relay's sender, else MAIL_FROM. */
export type OutgoingMail = { to: string; subject: string; text: string }

/**
 * How a message left: through the saved relay or SMTP_URL (with the server's message id and its
 * last reply, e.g. `250 2.0.0 Ok: queued as 4F1`), or into the outbox (row id).
 */
export type MailDelivery =
  | { via: 'relay'; messageId: string; response: string }
  | { via: 'smtp'; messageId: string }
  | { via: 'outbox'; id: number }

/** What sendMail needs of a transport; a nodemailer transporter is one. Tests pass jsonTransport. */
export type MailTransport = {
  sendMail(
    message: OutgoingMail & { from: string },
  ): Promise<{ messageId?: string; response?: string }>
  close?(): void
}

/** A row of the development outbox. */
export type OutboxMail = OutgoingMail & { id: number; createdAt: Date }

/** SMTP limits, in milliseconds: a dead server must not hold a request for nodemailer's minutes. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }

/**
 * Sends one message: through `options.transport` when given (tests), else through the relay
 * saved at /settings/mail (read from `db` on every call, so a change applies to the next mail on
 * every instance), else over SMTP when `config.smtpUrl` is set (a new nodemailer transport per
 * call, closed afterwards), else into the development outbox (one insert on `db`, so inside a
 * transaction when `db` is one). Never call it with a transaction: a relay may be saved at any
 * time, and a network wait would hold the transaction's locks.
 * @param options.now the outbox row's time (default: now)
 * @throws the transport's error when the SMTP server cannot be reached or refuses the message
 *   (after at most ~10 s to connect, 10 s for its greeting, 30 s of silence); database errors;
 *   an Error when the relay's password does not open with this FLEETDECK_SECRET_KEY
 */
export async function sendMail(
  db: Db,
  config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'secretKey'>,
  mail: OutgoingMail,
  options: { transport?: MailTransport; now?: Date } = {},
): Promise<MailDelivery> {
  const relay = options.transport ? undefined : await findMailRelay(db)
  if (relay) return sendThroughRelay(config, relay, mail)
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

/**
 * Sends one message through `relay`, from the relay's sender, with nothing to fall back on: what
 * every mail does while a relay is saved, and what the test mail on /settings/mail does.
 * `starttls` requires the upgrade (port 587), `tls` speaks TLS from the first byte (port 465),
 * `none` never upgrades (a relay on this host or a private network).
 * @returns the server's message id and its last reply
 * @throws the transport's error (connection refused, timeout, authentication or recipient
 *   refused; same time limits as sendMail); an Error when the password does not open
 */
export async function sendThroughRelay(
  config: Pick<Config, 'secretKey'>,
  relay: StoredMailRelay,
  mail: OutgoingMail,
): Promise<{ via: 'relay'; messageId: string; response: string }> {
  const pass = relay.passwordSealed ? openRelayPassword(config, relay.passwordSealed) : undefined
  const transport = createTransport({
    host: relay.host,
    port: relay.port,
    secure: relay.security === 'tls',
    requireTLS: relay.security === 'starttls',
    ignoreTLS: relay.security === 'none',
    auth: relay.user ? { user: relay.user, pass: pass ?? '' } : undefined,
    ...SMTP_TIMEOUTS,
  })
  try {
    const info = await transport.sendMail({ from: relay.from, ...mail })
    return { via: 'relay', messageId: info.messageId ?? '', response: info.response ?? '' }
  } finally {
    transport.close()
  }
}

/** Seals the relay's SMTP password for storage (AES-256-GCM, its own HKDF purpose). */
export function sealRelayPassword(config: Pick<Config, 'secretKey'>, password: string): string {
  return encryptSecret(relayKey(config.secretKey), new TextEncoder().encode(password))
}

/**
 * Opens a password sealed by sealRelayPassword.
 * @throws Error when it was sealed with another FLEETDECK_SECRET_KEY or altered
 */
export function openRelayPassword(config: Pick<Config, 'secretKey'>, sealed: string): string {
  try {
    return new TextDecoder().decode(decryptSecret(relayKey(config.secretKey), sealed))
  } catch {
    throw new Error('mail relay: the stored password does not open with this FLEETDECK_SECRET_KEY')
  }
}

function relayKey(secretKey: string): Buffer {
  return deriveKey(secretKey, 'mail-relay-password')
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
