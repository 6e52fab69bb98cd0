import type { Db } from './database.js'
import { deleteSettingRow, readSettingRow, writeSettingRow } from './setting-rows.js'

// The SaaS email relay (issue 10 item 6, seed 002) in public.settings under `mail_relay`. The
// password is stored sealed (src/mail/mailer.ts seals and opens it); nothing here decrypts.

const MAIL_RELAY_SETTING = 'mail_relay'

/** How the connection is protected (nodemailer: `secure`, `requireTLS`, `ignoreTLS`). */
export const RELAY_SECURITY = ['starttls', 'tls', 'none'] as const
export type RelaySecurity = (typeof RELAY_SECURITY)[number]

/** The relay as stored: the password only as `encryptSecret` output (`v1.…`), or null. */
export type StoredMailRelay = {
  host: string
  /** TCP port, 1–65535. */
  port: number
  security: RelaySecurity
  /** SMTP AUTH user; null = the relay takes mail without authentication. */
  user: string | null
  passwordSealed: string | null
  /** The From address of every mail Fleetdeck sends through the relay. */
  from: string
}

/** The saved relay, or undefined when none is (mail then goes by SMTP_URL or to the outbox). */
export async function findMailRelay(
  db: Db,
  options: { forUpdate?: boolean } = {},
): Promise<StoredMailRelay | undefined> {
  const value = await readSettingRow(db, MAIL_RELAY_SETTING, options)
  return isStoredRelay(value) ? value : undefined
}

/** Saves the relay (or removes it with null); run inside the transaction that audits it. */
export async function saveMailRelay(
  trx: Db,
  relay: StoredMailRelay | null,
  updatedBy: string,
  now: Date,
): Promise<void> {
  if (relay === null) await deleteSettingRow(trx, MAIL_RELAY_SETTING)
  else await writeSettingRow(trx, MAIL_RELAY_SETTING, relay, updatedBy, now)
}

function isStoredRelay(value: unknown): value is StoredMailRelay {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (
    typeof v.host === 'string' &&
    typeof v.port === 'number' &&
    RELAY_SECURITY.includes(v.security as RelaySecurity) &&
    typeof v.from === 'string'
  )
}
