import { isIP } from 'node:net'
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { findMailRelay, RELAY_SECURITY } from '../../db/mail-relay.js'
import {
  mailRelayView,
  removeMailRelaySettings,
  saveMailRelaySettings,
  sendRelayTestMail,
  type MailRelayInput,
  type MailRelayView,
} from '../../operators/mail-relay.js'
import {
  MailRelayPage,
  type MailRelayErrors,
  type MailRelayValues,
  type TestMailState,
} from '../../views/settings/mail-relay-page.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { requirePermission, requireRecentTotp } from '../../web/guards.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'

// /settings/mail (issue 10 item 6, seed 002): the SaaS email relay, which takes precedence over
// SMTP_URL for every mail Fleetdeck sends, and a test mail through it. Owners, step-up.

// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens, 253 at most.
const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i
const email = z.email({ error: 'Enter a valid email address.' }).max(320)

/** `addr@host` or `Name <addr@host>`, as nodemailer takes a From. */
function isSender(value: string): boolean {
  const named = /^([^<>"\r\n]{0,200})<([^<>\s]+)>$/.exec(value)
  return email.safeParse(named ? named[2] : value).success
}

const relayForm = z.object({
  host: z
    .string()
    .trim()
    .refine((h) => HOST_NAME.test(h) || isIP(h) !== 0, 'Enter a host name or an IP address.'),
  port: z.coerce
    .number({ error: 'Enter a port number from 1 to 65535.' })
    .int('Enter a port number from 1 to 65535.')
    .min(1, 'Enter a port number from 1 to 65535.')
    .max(65535, 'Enter a port number from 1 to 65535.'),
  security: z.enum(RELAY_SECURITY, { error: 'Choose how the connection is protected.' }),
  user: z.string().trim().max(320, 'At most 320 characters.'),
  password: z.string().max(1000, 'At most 1,000 characters.'),
  from: z.string().trim().max(400, 'At most 400 characters.').refine(isSender, {
    error: 'Enter an address, e.g. fleetdeck@example.com or Fleetdeck <fleetdeck@example.com>.',
  }),
})

const testForm = z.object({ to: z.string().trim().pipe(email) })

const edit = requirePermission('saas.settings.edit')

export const mailSettingsRoutes = new Hono<AppEnv>()

function savedValues(relay: MailRelayView | undefined, mailFrom: string): MailRelayValues {
  return {
    host: relay?.host ?? '',
    port: String(relay?.port ?? 587),
    security: relay?.security ?? 'starttls',
    user: relay?.user ?? '',
    from: relay?.from ?? mailFrom,
    clearPassword: false,
  }
}

async function renderPage(
  c: Context<AppEnv>,
  o: { values?: MailRelayValues; errors?: MailRelayErrors; test?: TestMailState } = {},
) {
  const stored = await findMailRelay(c.var.db)
  const relay = stored && mailRelayView(stored)
  const { config } = c.var.deps
  if (o.errors || o.test?.error || o.test?.failure) c.status(422)
  const page = (
    <MailRelayPage
      relay={relay}
      values={o.values ?? savedValues(relay, config.mailFrom)}
      errors={o.errors ?? {}}
      test={o.test ?? { to: c.var.operator.email }}
      smtpUrlSet={config.smtpUrl !== undefined}
    />
  )
  return c.render(page, { title: 'Mail relay' })
}

mailSettingsRoutes.get('/', edit, (c) => renderPage(c))

mailSettingsRoutes.post('/', edit, requireRecentTotp, async (c) => {
  const fields = await formFields(c)
  const values: MailRelayValues = {
    host: fields.host ?? '',
    port: fields.port ?? '',
    security: fields.security ?? '',
    user: fields.user ?? '',
    from: fields.from ?? '',
    clearPassword: fields.clearPassword === 'on',
  }
  const parsed = relayForm.safeParse({ ...values, password: fields.password ?? '' })
  if (!parsed.success) return renderPage(c, { values, errors: fieldErrors(parsed.error) })
  const { password, user, ...rest } = parsed.data
  const input: MailRelayInput = {
    ...rest,
    user: user === '' ? null : user,
    password: values.clearPassword
      ? { kind: 'clear' }
      : password === ''
        ? { kind: 'keep' }
        : { kind: 'set', value: password },
  }
  const { operator, deps } = c.var
  await saveMailRelaySettings(
    c.var.db,
    auditContext(c),
    deps.config,
    input,
    operator.id,
    c.var.now(),
  )
  await setFlash(c, {
    kind: 'success',
    text: `Mail relay saved: every mail now goes through ${input.host}:${input.port}.`,
  })
  return redirectTo(c, '/settings/mail')
})

mailSettingsRoutes.delete('/', edit, requireRecentTotp, async (c) => {
  const { operator, deps } = c.var
  const result = await removeMailRelaySettings(c.var.db, auditContext(c), operator.id, c.var.now())
  const where = deps.config.smtpUrl ? 'through SMTP_URL' : 'to the development outbox'
  await setFlash(
    c,
    result.ok
      ? { kind: 'success', text: `Mail relay removed: mail goes ${where} again.` }
      : { kind: 'info', text: 'No mail relay was saved; nothing changed.' },
  )
  return redirectTo(c, '/settings/mail')
})

mailSettingsRoutes.post('/test', edit, requireRecentTotp, async (c) => {
  const to = (await formFields(c)).to ?? ''
  const parsed = testForm.safeParse({ to })
  if (!parsed.success) return renderPage(c, { test: { to, error: 'Enter a valid email address.' } })
  const { deps } = c.var
  const result = await sendRelayTestMail(
    c.var.db,
    auditContext(c),
    deps.config,
    parsed.data.to,
    c.var.now(),
  )
  if (!result.ok && result.reason === 'no_relay') {
    c.set('flash', { kind: 'error', text: 'No mail relay is saved: save one, then send a test.' })
    c.status(422)
    return renderPage(c)
  }
  if (!result.ok) return renderPage(c, { test: { to, failure: result.error } })
  await setFlash(c, {
    kind: 'success',
    text: `Test email sent to ${parsed.data.to}. The relay answered “${result.response}” (message id ${result.messageId}).`,
  })
  return redirectTo(c, '/settings/mail')
})

function fieldErrors(error: z.ZodError): MailRelayErrors {
  const errors: MailRelayErrors = {}
  for (const issue of error.issues) {
    const field = issue.path[0] as keyof MailRelayErrors
    errors[field] ??= issue.message
  }
  return errors
}
