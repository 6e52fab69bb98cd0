import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findMailRelay } from '../../db/mail-relay.js'
import { deliverInvitation } from '../../operators/invitations.js'
import { openRelayPassword } from '../../mail/mailer.js'
import { TEST_MAIL_SUBJECT } from '../../operators/mail-relay.js'
import { auditEntries } from '../../test-support/database-state.js'
import { createSuperAdmin } from '../../test-support/factories.js'
import { alertText, fieldError, parseHtml } from '../../test-support/html.js'
import { followWithFlash } from '../../test-support/plan-scenes.js'
import { getPage, postForm, signIn } from '../../test-support/requests.js'
import { startSmtpCapture, type SmtpCapture } from '../../test-support/smtp-capture.js'
import { useTestApp } from '../../test-support/test-app.js'

// /settings/mail (issue 10 item 6): the SaaS email relay, tried against a real SMTP server on
// 127.0.0.1 (smtp-server), with SMTP_URL set to a dead address so precedence shows.

const t = useTestApp({ SMTP_URL: 'smtp://127.0.0.1:1' })
let smtp: SmtpCapture
let authSmtp: SmtpCapture

beforeAll(async () => {
  smtp = await startSmtpCapture()
  authSmtp = await startSmtpCapture({ auth: { user: 'relay-user', pass: 's3cret-relay-pass' } })
})
afterAll(async () => {
  await smtp.close()
  await authSmtp.close()
})

const relayFields = (port: number, o: Record<string, string> = {}) => ({
  host: '127.0.0.1',
  port: String(port),
  security: 'none',
  user: '',
  password: '',
  from: 'Fleetdeck Ops <ops@fleet.example>',
  ...o,
})

async function clearRelay() {
  await t.db.deleteFrom('settings').where('key', '=', 'mail_relay').execute()
}

describe('saving the relay', () => {
  it('saves host, port, security, user and sender, seals the password, and audits it as changed', async () => {
    await clearRelay()
    const { owner, cookie } = await t.signedInOwner()

    const res = await postForm(
      t.app,
      '/settings/mail',
      relayFields(authSmtp.port, { user: 'relay-user', password: 's3cret-relay-pass' }),
      cookie,
    )

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/settings/mail')
    const stored = await findMailRelay(t.db)
    expect(stored).toMatchObject({
      host: '127.0.0.1',
      port: authSmtp.port,
      security: 'none',
      user: 'relay-user',
      from: 'Fleetdeck Ops <ops@fleet.example>',
    })
    expect(stored!.passwordSealed).toMatch(/^v1\./)
    expect(openRelayPassword(t.config, stored!.passwordSealed!)).toBe('s3cret-relay-pass')
    const row = await t.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'mail_relay')
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(row.value)).not.toContain('s3cret-relay-pass')
    const entry = (await auditEntries(t.db, 'settings.mail_relay')).at(-1)!
    expect(entry.actor_id).toBe(owner.admin.id)
    expect(entry.before).toBeNull()
    expect(entry.after).toEqual({
      host: '127.0.0.1',
      port: authSmtp.port,
      security: 'none',
      user: 'relay-user',
      from: 'Fleetdeck Ops <ops@fleet.example>',
      password: 'changed',
    })
    expect(JSON.stringify(entry)).not.toContain('s3cret-relay-pass')
    expect(await followWithFlash(t.app, res, cookie)).toContain(
      `Mail relay saved: every mail now goes through 127.0.0.1:${authSmtp.port}.`,
    )
  })

  it('never shows the password back, and a blank password keeps the saved one (audited unchanged)', async () => {
    const { cookie } = await t.signedInOwner()
    await postForm(
      t.app,
      '/settings/mail',
      relayFields(authSmtp.port, { user: 'relay-user', password: 's3cret-relay-pass' }),
      cookie,
    )
    const sealed = (await findMailRelay(t.db))!.passwordSealed

    const page = await (await getPage(t.app, '/settings/mail', cookie)).text()
    const res = await postForm(
      t.app,
      '/settings/mail',
      relayFields(authSmtp.port, { user: 'relay-user', from: 'ops@fleet.example' }),
      cookie,
    )

    expect(page).not.toContain('s3cret-relay-pass')
    expect(parseHtml(page).querySelector('input[name="password"]')!.hasAttribute('value')).toBe(
      false,
    )
    expect(page).toContain('Leave blank to keep it.')
    expect(res.status).toBe(303)
    expect((await findMailRelay(t.db))!).toMatchObject({
      passwordSealed: sealed,
      from: 'ops@fleet.example',
    })
    expect((await auditEntries(t.db, 'settings.mail_relay')).at(-1)!.after).toMatchObject({
      password: 'unchanged',
      from: 'ops@fleet.example',
    })
  })

  it('"Clear the saved password" removes it', async () => {
    const { cookie } = await t.signedInOwner()
    await postForm(
      t.app,
      '/settings/mail',
      relayFields(authSmtp.port, { user: 'relay-user', password: 'pw-to-clear' }),
      cookie,
    )

    await postForm(
      t.app,
      '/settings/mail',
      relayFields(authSmtp.port, { user: 'relay-user', clearPassword: 'on' }),
      cookie,
    )

    expect((await findMailRelay(t.db))!.passwordSealed).toBeNull()
    expect((await auditEntries(t.db, 'settings.mail_relay')).at(-1)!).toMatchObject({
      before: { password: 'set' },
      after: { password: 'changed' },
    })
  })

  it('refuses a bad host, port and sender with 422 next to each field and changes nothing', async () => {
    await clearRelay()
    const { cookie } = await t.signedInOwner()
    const audited = (await auditEntries(t.db, 'settings.mail_relay')).length

    const res = await postForm(
      t.app,
      '/settings/mail',
      relayFields(0, { host: 'smtp..example.com', port: '70000', from: 'not an address' }),
      cookie,
    )
    const html = await res.text()

    expect(res.status).toBe(422)
    expect(fieldError(html, 'host')).toBe('Enter a host name or an IP address.')
    expect(fieldError(html, 'port')).toBe('Enter a port number from 1 to 65535.')
    expect(fieldError(html, 'from')).toMatch(/^Enter an address/)
    expect(parseHtml(html).querySelector('input[name="host"]')!.getAttribute('value')).toBe(
      'smtp..example.com',
    )
    expect(await findMailRelay(t.db)).toBeUndefined()
    expect(await auditEntries(t.db, 'settings.mail_relay')).toHaveLength(audited)
  })

  it('refuses an unknown security choice and a port that is not a number', async () => {
    const { cookie } = await t.signedInOwner()

    const res = await postForm(
      t.app,
      '/settings/mail',
      relayFields(25, { security: 'ssl3', port: 'twenty-five' }),
      cookie,
    )
    const html = await res.text()

    expect(res.status).toBe(422)
    expect(fieldError(html, 'security')).toBe('Choose how the connection is protected.')
    expect(fieldError(html, 'port')).toBe('Enter a port number from 1 to 65535.')
  })

  it('accepts an IPv6 address and a plain sender address', async () => {
    await clearRelay()
    const { cookie } = await t.signedInOwner()

    const res = await postForm(
      t.app,
      '/settings/mail',
      relayFields(2525, { host: '::1', from: 'ops@fleet.example' }),
      cookie,
    )

    expect(res.status).toBe(303)
    expect(await findMailRelay(t.db)).toMatchObject({ host: '::1', port: 2525 })
  })

  it('an admin may neither read nor change the relay', async () => {
    const admin = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    const cookie = await signIn(t.app, admin, t.clock)

    expect((await getPage(t.app, '/settings/mail', cookie)).status).toBe(403)
    expect((await postForm(t.app, '/settings/mail', relayFields(smtp.port), cookie)).status).toBe(
      403,
    )
  })
})

describe('the test email', () => {
  it('arrives at the address typed, from the relay sender, and the flash quotes the server', async () => {
    await clearRelay()
    const { owner, cookie } = await t.signedInOwner()
    await postForm(t.app, '/settings/mail', relayFields(smtp.port), cookie)
    const arriving = smtp.next()

    const res = await postForm(t.app, '/settings/mail/test', { to: 'ivy@tenant.example' }, cookie)

    expect(res.status).toBe(303)
    const mail = await arriving
    expect(mail.envelopeTo).toEqual(['ivy@tenant.example'])
    expect(mail.envelopeFrom).toBe('ops@fleet.example')
    expect(mail.headers.from).toBe('Fleetdeck Ops <ops@fleet.example>')
    expect(mail.headers.to).toBe('ivy@tenant.example')
    expect(mail.headers.subject).toBe(TEST_MAIL_SUBJECT)
    const entry = (await auditEntries(t.db, 'settings.mail_test')).at(-1)!
    expect(entry.actor_id).toBe(owner.admin.id)
    expect(entry.after).toMatchObject({
      to: 'ivy@tenant.example',
      relay: `127.0.0.1:${smtp.port}`,
      sent: true,
      messageId: mail.headers['message-id'],
    })
    const flash = await followWithFlash(t.app, res, cookie)
    expect(flash).toContain('Test email sent to ivy@tenant.example. The relay answered “250')
    expect(flash).toContain(mail.headers['message-id'].replace(/[<>]/g, ''))
  })

  it('signs in to a relay that requires it with the saved password', async () => {
    await clearRelay()
    const { cookie } = await t.signedInOwner()
    await postForm(
      t.app,
      '/settings/mail',
      relayFields(authSmtp.port, { user: 'relay-user', password: 's3cret-relay-pass' }),
      cookie,
    )
    const arriving = authSmtp.next()

    const res = await postForm(t.app, '/settings/mail/test', { to: 'ops@tenant.example' }, cookie)

    expect(res.status).toBe(303)
    expect((await arriving).headers.subject).toBe(TEST_MAIL_SUBJECT)
  })

  it('reports the server refusing the password as a 422 with its message, audited as not sent', async () => {
    await clearRelay()
    const { cookie } = await t.signedInOwner()
    await postForm(
      t.app,
      '/settings/mail',
      relayFields(authSmtp.port, { user: 'relay-user', password: 'wrong-password' }),
      cookie,
    )
    const received = authSmtp.received.length

    const res = await postForm(t.app, '/settings/mail/test', { to: 'ops@tenant.example' }, cookie)
    const html = await res.text()

    expect(res.status).toBe(422)
    expect(alertText(html)).toMatch(/^The relay did not take the test email: .*535/)
    expect(html).not.toContain('wrong-password')
    expect(authSmtp.received).toHaveLength(received)
    expect((await auditEntries(t.db, 'settings.mail_test')).at(-1)!.after).toMatchObject({
      sent: false,
      error: expect.stringContaining('535'),
    })
  })

  it('reports a relay that does not answer (connection refused) as a 422, not a 500', async () => {
    await clearRelay()
    const { cookie } = await t.signedInOwner()
    await postForm(t.app, '/settings/mail', relayFields(1), cookie)

    const res = await postForm(t.app, '/settings/mail/test', { to: 'ops@tenant.example' }, cookie)

    expect(res.status).toBe(422)
    expect(alertText(await res.text())).toMatch(/ECONNREFUSED/)
  })

  it('refuses an address that is not one, next to the field, and sends nothing', async () => {
    await clearRelay()
    const { cookie } = await t.signedInOwner()
    await postForm(t.app, '/settings/mail', relayFields(smtp.port), cookie)
    const received = smtp.received.length
    const audited = (await auditEntries(t.db, 'settings.mail_test')).length

    const res = await postForm(t.app, '/settings/mail/test', { to: 'ivy at tenant' }, cookie)

    expect(res.status).toBe(422)
    expect(fieldError(await res.text(), 'to')).toBe('Enter a valid email address.')
    expect(smtp.received).toHaveLength(received)
    expect(await auditEntries(t.db, 'settings.mail_test')).toHaveLength(audited)
  })

  it('is refused with 422 when no relay is saved, even with SMTP_URL set', async () => {
    await clearRelay()
    const { cookie } = await t.signedInOwner()

    const res = await postForm(t.app, '/settings/mail/test', { to: 'ops@tenant.example' }, cookie)

    expect(res.status).toBe(422)
    expect(alertText(await res.text())).toContain('No mail relay is saved')
  })

  it('the form offers the owner’s own address by default', async () => {
    await clearRelay()
    const { owner, cookie } = await t.signedInOwner()
    await postForm(t.app, '/settings/mail', relayFields(smtp.port), cookie)

    const html = await (await getPage(t.app, '/settings/mail', cookie)).text()

    expect(parseHtml(html).querySelector('input[name="to"]')!.getAttribute('value')).toBe(
      owner.admin.email,
    )
  })
})

describe('precedence over SMTP_URL', () => {
  it('an invitation goes through the saved relay although SMTP_URL points elsewhere', async () => {
    await clearRelay()
    const { cookie } = await t.signedInOwner()
    await postForm(t.app, '/settings/mail', relayFields(smtp.port), cookie)
    const arriving = smtp.next()

    const delivery = await deliverInvitation(
      t.db,
      t.config,
      {
        operator: { email: 'new-admin@fleet.example', name: 'New Admin', role: 'viewer' },
        token: 'tok',
        expiresAt: new Date(t.clock.now() + 3600_000),
      } as Parameters<typeof deliverInvitation>[2],
      { name: 'Owner', email: 'owner@fleet.example' },
      new Date(t.clock.now()),
    )

    expect(delivery.via).toBe('relay')
    const mail = await arriving
    expect(mail.envelopeTo).toEqual(['new-admin@fleet.example'])
    expect(mail.headers.from).toBe('Fleetdeck Ops <ops@fleet.example>')
  })

  it('removing the relay sends mail by SMTP_URL again, audited with after null', async () => {
    const { cookie } = await t.signedInOwner()
    await postForm(t.app, '/settings/mail', relayFields(smtp.port), cookie)

    const res = await postForm(t.app, '/settings/mail', { _method: 'DELETE' }, cookie)

    expect(res.status).toBe(303)
    expect(await findMailRelay(t.db)).toBeUndefined()
    expect((await auditEntries(t.db, 'settings.mail_relay')).at(-1)!).toMatchObject({
      before: { host: '127.0.0.1', password: 'none' },
      after: null,
    })
    expect(await followWithFlash(t.app, res, cookie)).toContain(
      'Mail relay removed: mail goes through SMTP_URL again.',
    )
  })
})

// Last: moving the clock past the step-up window ages every session of this file.
describe('step-up', () => {
  it('asks for a fresh TOTP code before saving, and saves nothing meanwhile', async () => {
    await clearRelay()
    const who = await createSuperAdmin(t.db, t.config)
    const cookie = await signIn(t.app, who, t.clock)
    t.clock.advance(11 * 60 * 1000)

    const res = await postForm(t.app, '/settings/mail', relayFields(smtp.port), cookie)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toMatch(/^\/step-up\?next=/)
    expect(await findMailRelay(t.db)).toBeUndefined()
  })
})
