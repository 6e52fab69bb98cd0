import { Hono } from 'hono'
import { findMailRelay } from '../../db/mail-relay.js'
import { readOutbox } from '../../operators/outbox.js'
import { OutboxPage } from '../../views/super-admins/outbox-page.js'
import type { AppEnv } from '../../web/env.js'
import { auditContext } from '../../web/request.js'
import { manage, stepUp } from './shared.js'

/** Mounted at `/super-admins/outbox`: what would have been emailed while SMTP_URL is unset. */
export const outboxRoutes = new Hono<AppEnv>()

// Invitation links in the outbox work as credentials: reading them needs a fresh TOTP too, and
// the read is audited.
outboxRoutes.get('/', manage, stepUp, async (c) => {
  const { mails } = await readOutbox(c.var.db, auditContext(c), c.var.now())
  // The relay saved at /settings/mail sends mail too, before SMTP_URL (src/mail/mailer.ts).
  const sending = !!c.var.deps.config.smtpUrl || (await findMailRelay(c.var.db)) !== undefined
  return c.render(<OutboxPage mails={mails} smtpConfigured={sending} />, {
    title: 'Development outbox',
  })
})
