import type { Config } from '../config.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import {
  findMailRelay,
  saveMailRelay,
  type RelaySecurity,
  type StoredMailRelay,
} from '../db/mail-relay.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { sealRelayPassword, sendThroughRelay } from '../mail/mailer.js'

// The SaaS email relay (issue 10 item 6, seed 002): saved, removed and tried by owners. Each
// change is audited in its own transaction; the password appears there only as changed or not.

/** What to do with the stored password: keep it (the field left blank), replace it, remove it. */
export type RelayPasswordChange =
  { kind: 'keep' } | { kind: 'set'; value: string } | { kind: 'clear' }

export type MailRelayInput = {
  host: string
  port: number
  security: RelaySecurity
  user: string | null
  password: RelayPasswordChange
  from: string
}

/** The relay as the audit log and the page may show it: no password, only whether one is set. */
export type MailRelayView = Omit<StoredMailRelay, 'passwordSealed'> & { hasPassword: boolean }

/** `relay` without its sealed password. */
export function mailRelayView(relay: StoredMailRelay): MailRelayView {
  const { passwordSealed, ...rest } = relay
  return { ...rest, hasPassword: passwordSealed !== null }
}

/**
 * Saves the relay, audited `settings.mail_relay` with before/after (the password as
 * `changed`/`unchanged`, never its value). From the next mail on, every mail Fleetdeck sends
 * goes through it, before SMTP_URL (src/mail/mailer.ts).
 */
export async function saveMailRelaySettings(
  db: Db,
  context: AuditContext,
  config: Pick<Config, 'secretKey'>,
  input: MailRelayInput,
  updatedBy: string,
  now: Date,
): Promise<DomainResult<{ relay: MailRelayView }>> {
  const saved = await db.transaction().execute(async (trx) => {
    const before = await findMailRelay(trx, { forUpdate: true })
    const relay: StoredMailRelay = {
      host: input.host,
      port: input.port,
      security: input.security,
      user: input.user,
      passwordSealed: sealedPassword(config, input.password, before?.passwordSealed ?? null),
      from: input.from,
    }
    await saveMailRelay(trx, relay, updatedBy, now)
    const passwordChanged = relay.passwordSealed !== (before?.passwordSealed ?? null)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'settings.mail_relay',
        targetType: 'settings',
        targetId: 'mail_relay',
        before: before ? auditedRelay(before) : null,
        after: { ...auditedRelay(relay), password: passwordChanged ? 'changed' : 'unchanged' },
      },
      now,
    )
    return relay
  })
  return { ok: true, relay: mailRelayView(saved) }
}

/**
 * Removes the relay: mail goes by SMTP_URL again, or to the development outbox. Audited
 * `settings.mail_relay` with after null. Refuses `not_set` when there is none.
 */
export async function removeMailRelaySettings(
  db: Db,
  context: AuditContext,
  updatedBy: string,
  now: Date,
): Promise<DomainResult<object, 'not_set'>> {
  return db.transaction().execute(async (trx) => {
    const before = await findMailRelay(trx, { forUpdate: true })
    if (!before) return refuse('not_set')
    await saveMailRelay(trx, null, updatedBy, now)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'settings.mail_relay',
        targetType: 'settings',
        targetId: 'mail_relay',
        before: auditedRelay(before),
        after: null,
      },
      now,
    )
    return { ok: true }
  })
}

export type TestMailResult =
  | { ok: true; messageId: string; response: string }
  | { ok: false; reason: 'no_relay' }
  | { ok: false; reason: 'send_failed'; error: string }

/**
 * Sends a test message to `to` through the saved relay (never SMTP_URL or the outbox), then
 * audits `settings.mail_test` with the outcome — after the send, in its own transaction, so no
 * SMTP wait holds a transaction open. A failure is an answer, not an exception: the server's
 * error message (connection refused, authentication failed…) is what the owner needs to read.
 */
export async function sendRelayTestMail(
  db: Db,
  context: AuditContext,
  config: Pick<Config, 'secretKey' | 'publicUrl'>,
  to: string,
  now: Date,
): Promise<TestMailResult> {
  const relay = await findMailRelay(db)
  if (!relay) return { ok: false, reason: 'no_relay' }
  let result: TestMailResult
  try {
    const sent = await sendThroughRelay(config, relay, testMail(to, relay, config.publicUrl))
    result = { ok: true, messageId: sent.messageId, response: sent.response }
  } catch (error) {
    result = { ok: false, reason: 'send_failed', error: errorText(error) }
  }
  await db.transaction().execute((trx) =>
    appendAuditEntry(
      trx,
      context,
      {
        action: 'settings.mail_test',
        targetType: 'settings',
        targetId: 'mail_relay',
        after: {
          to,
          relay: `${relay.host}:${relay.port}`,
          ...(result.ok
            ? { sent: true, messageId: result.messageId, response: result.response }
            : { sent: false, error: result.reason === 'send_failed' ? result.error : '' }),
        },
      },
      now,
    ),
  )
  return result
}

/** The subject every test mail carries (tests and the owner look for it). */
export const TEST_MAIL_SUBJECT = 'Fleetdeck test email'

function testMail(to: string, relay: StoredMailRelay, publicUrl: string) {
  return {
    to,
    subject: TEST_MAIL_SUBJECT,
    text: [
      'This is a test email from Fleetdeck.',
      '',
      `It was sent through the mail relay ${relay.host}:${relay.port} saved at ${publicUrl}/settings/mail.`,
      'Invitations and every other mail Fleetdeck sends now go the same way.',
    ].join('\n'),
  }
}

function sealedPassword(
  config: Pick<Config, 'secretKey'>,
  change: RelayPasswordChange,
  current: string | null,
): string | null {
  if (change.kind === 'keep') return current
  if (change.kind === 'clear') return null
  return sealRelayPassword(config, change.value)
}

function auditedRelay(relay: StoredMailRelay) {
  const { passwordSealed, ...rest } = relay
  return { ...rest, password: passwordSealed ? 'set' : 'none' }
}

/** The transport's message, one line, at most 500 characters (SMTP replies can be long). */
function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.replace(/\s+/g, ' ').trim().slice(0, 500) || 'unknown error'
}
