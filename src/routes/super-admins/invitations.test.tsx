import { createServer, type AddressInfo, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../app.js'
import { findSuperAdminById } from '../../db/super-admins.js'
import {
  auditEntries,
  cookieFrom,
  countRows,
  createSuperAdmin,
  getPage,
  postForm,
  signIn,
  totpCode,
  type TestAdmin,
} from '../../test-support/factories.js'
import {
  t,
  owner,
  cookie,
  PASSWORD,
  HOUR,
  adminRow,
  tokensOf,
  outboxMailTo,
  linkIn,
  shownKey,
  state,
  follow,
  inviteFields,
  invite,
  useSuperAdminTestApp,
} from '../../test-support/super-admin-routes.js'

useSuperAdminTestApp()

describe('inviting a super admin', () => {
  it('the form has labelled Email, Name and Role fields', async () => {
    const body = await (await getPage(t.app, '/super-admins/new', cookie)).text()

    for (const field of ['email', 'name', 'role'])
      expect(body).toContain(`<label for="field-${field}"`)
    expect(body).toContain('<option value="owner">owner — ')
    expect(body).toContain('<option value="viewer" selected="">viewer — ')
  })

  it('creates the admin, a 72-hour link, the mail in the outbox and an audit entry', async () => {
    const before = await countRows(t.db, 'audit_log')
    const { res, fields, admin } = await invite(
      inviteFields({ name: 'Ada Lovelace', role: 'admin' }),
    )

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/super-admins/${admin!.id}`)
    expect(admin).toMatchObject({
      email: fields.email,
      name: 'Ada Lovelace',
      role: 'admin',
      is_active: true,
      created_by: owner.admin.id,
      password_hash: null,
      totp_secret_encrypted: null,
      mfa_enabled: false,
    })
    const tokens = await tokensOf(admin!.id)
    expect(tokens).toHaveLength(1)
    expect(tokens[0]).toMatchObject({ purpose: 'invitation', used_at: null })
    expect(tokens[0].expires_at.getTime() - tokens[0].created_at.getTime()).toBe(72 * HOUR)
    const mail = await outboxMailTo(fields.email)
    expect(mail!.subject).toBe('Your invitation to Fleetdeck')
    expect(mail!.body).toContain(`${t.config.publicUrl}/enrol/${tokens[0].id}.`)
    expect(mail!.body).toContain('valid for 72 hours')
    expect(mail!.body).toContain(`Olive Owner (${owner.admin.email}) invited you`)
    expect(mail!.body).toContain('with the role admin')
    const [entry] = (await auditEntries(t.db, 'super_admin.invite')).filter(
      (e) => e.target_id === admin!.id,
    )
    expect(entry).toMatchObject({
      actor_id: owner.admin.id,
      target_type: 'super_admin',
      after: { email: fields.email, role: 'admin' },
    })
    expect(JSON.stringify(entry)).not.toContain(linkIn(mail!.body).split('.')[1])
    expect(await countRows(t.db, 'audit_log')).toBe(before + 1)
    const page = await follow(res, cookie)
    expect(page).toContain(
      'SMTP_URL is not set, so it was not emailed: the link is in the development outbox.',
    )
    expect(page).toContain('Send a new invitation link')
  })

  it.each([
    ['an invalid email', { email: 'not-an-email' }, 'email', 'Enter a valid email address.'],
    ['an empty name', { name: '   ' }, 'name', 'Enter a name.'],
    [
      'a name with a line break',
      { name: 'Eve\nBcc: x@example.com' },
      'name',
      'Use no control characters.',
    ],
    ['an unknown role', { role: 'superuser' }, 'role', 'Choose one of the roles.'],
  ])(
    '%s answers 422 with the message next to the field and changes nothing',
    async (_what, overrides, field, message) => {
      const before = await state()

      const res = await postForm(t.app, '/super-admins', inviteFields(overrides), cookie)
      const body = await res.text()

      expect(res.status).toBe(422)
      expect(body).toContain(`aria-describedby="field-${field}-error"`)
      expect(body).toContain(`<p id="field-${field}-error"`)
      expect(body).toContain(message)
      expect(await state()).toEqual(before)
    },
  )

  it('an email that already belongs to a super admin, in any case, answers 422 and changes nothing', async () => {
    const before = await state()

    const res = await postForm(
      t.app,
      '/super-admins',
      inviteFields({ email: owner.admin.email.toUpperCase() }),
      cookie,
    )

    expect(res.status).toBe(422)
    expect(await res.text()).toContain('A super admin with this email already exists.')
    expect(await state()).toEqual(before)
  })

  it('the link leads through a password and TOTP enrolment to a working sign-in with the chosen role', async () => {
    const { fields, admin } = await invite(inviteFields({ role: 'operator' }))
    const link = linkIn((await outboxMailTo(fields.email))!.body)

    const form = await getPage(t.app, link)
    expect(form.status).toBe(200)
    expect(await form.text()).toContain('Set your password')

    const password = await postForm(t.app, link, { password: PASSWORD, confirm: PASSWORD })
    expect(password.status).toBe(303)
    expect(password.headers.get('location')).toBe('/enrol/totp')
    const half = cookieFrom(password)!
    // Nothing of the console before TOTP is enrolled.
    expect((await getPage(t.app, '/tenants', half)).headers.get('location')).toBe('/login')

    const key = shownKey(await (await getPage(t.app, '/enrol/totp', half)).text())
    const enrolled = await postForm(
      t.app,
      '/enrol/totp',
      { code: totpCode(key, t.clock.now()) },
      half,
    )
    expect(enrolled.headers.get('location')).toBe('/tenants')
    expect((await getPage(t.app, link)).status).toBe(404)

    const invitee: TestAdmin = {
      admin: (await findSuperAdminById(t.db, admin!.id))!,
      password: PASSWORD,
      totpKey: key,
    }
    const inviteeCookie = await signIn(t.app, invitee, t.clock)
    expect((await getPage(t.app, '/tenants', inviteeCookie)).status).toBe(200)
    expect((await getPage(t.app, '/super-admins', inviteeCookie)).status).toBe(403)
    expect(await adminRow(admin!.id)).toMatchObject({ role: 'operator', mfa_enabled: true })
    expect((await adminRow(admin!.id)).last_login_at).not.toBeNull()
  })

  it('an invitation link older than 72 hours answers 404 and sets nothing', async () => {
    const { fields, admin } = await invite()
    const link = linkIn((await outboxMailTo(fields.email))!.body)

    t.clock.advance(72 * HOUR + 1000)

    expect((await getPage(t.app, link)).status).toBe(404)
    expect((await postForm(t.app, link, { password: PASSWORD, confirm: PASSWORD })).status).toBe(
      404,
    )
    expect((await adminRow(admin!.id)).password_hash).toBeNull()
  })

  it('a new invitation link replaces the old one', async () => {
    const { fields, admin } = await invite()
    const oldLink = linkIn((await outboxMailTo(fields.email))!.body)

    const res = await postForm(t.app, `/super-admins/${admin!.id}/invitation`, {}, cookie)
    const newLink = linkIn((await outboxMailTo(fields.email))!.body)

    expect(res.status).toBe(303)
    expect(newLink).not.toBe(oldLink)
    expect((await getPage(t.app, oldLink)).status).toBe(404)
    expect((await getPage(t.app, newLink)).status).toBe(200)
    const [entry] = (await auditEntries(t.db, 'super_admin.invite_resend')).filter(
      (e) => e.target_id === admin!.id,
    )
    expect(entry).toMatchObject({ actor_id: owner.admin.id, after: { linksRevoked: 1 } })
  })

  it('an admin who has accepted has no invitation to resend (409)', async () => {
    const enrolled = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    const before = await state()

    const res = await postForm(t.app, `/super-admins/${enrolled.admin.id}/invitation`, {}, cookie)

    expect(res.status).toBe(409)
    expect(await state()).toEqual(before)
  })

  it('with a TOTP check older than 10 minutes, goes to step-up and creates nothing', async () => {
    t.clock.advance(11 * 60_000)
    const before = await state()

    const res = await postForm(t.app, '/super-admins', inviteFields(), cookie, {
      referer: 'http://localhost/super-admins/new',
    })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(
      `/step-up?next=${encodeURIComponent('/super-admins/new')}`,
    )
    expect(await state()).toEqual(before)
  })
})

/** A loopback SMTP server that accepts every message, or refuses every connection with 554. */
async function startFakeSmtp(mode: 'accept' | 'refuse') {
  const received: string[] = []
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    if (mode === 'refuse') return void socket.end('554 5.3.2 not accepting mail\r\n')
    socket.write('220 fake.test ESMTP\r\n')
    let buffer = ''
    let data: string[] | undefined
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1')
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        if (data && line === '.') {
          received.push(data.join('\n'))
          data = undefined
          socket.write('250 2.0.0 queued\r\n')
        } else if (data) {
          data.push(line)
        } else if (/^DATA/i.test(line)) {
          data = []
          socket.write('354 go ahead\r\n')
        } else if (/^QUIT/i.test(line)) {
          socket.end('221 bye\r\n')
        } else {
          socket.write(/^(EHLO|HELO)/i.test(line) ? '250 fake.test\r\n' : '250 ok\r\n')
        }
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Quoted-printable soft line breaks and escapes undone, so a long link reads whole again. */
function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
}

describe('inviting with SMTP_URL set', () => {
  it('sends the invitation over SMTP and writes nothing to the outbox', async () => {
    const smtp = await startFakeSmtp('accept')
    try {
      const app = createApp({
        config: { ...t.config, smtpUrl: smtp.url },
        database: t.database,
        now: t.clock.now,
      })
      const outboxBefore = (await state()).outbox

      const { res, fields, admin } = await invite(inviteFields(), cookie, app)

      expect(res.status).toBe(303)
      expect(smtp.received).toHaveLength(1)
      const message = decodeQuotedPrintable(smtp.received[0])
      expect(message).toContain(`To: ${fields.email}`)
      expect(message).toContain(`From: ${t.config.mailFrom}`)
      const [token] = await tokensOf(admin!.id)
      expect(message).toContain(`${t.config.publicUrl}/enrol/${token.id}.`)
      expect((await state()).outbox).toBe(outboxBefore)
      expect(await follow(res, cookie, app)).toContain(
        `Invitation sent to ${fields.email}. The link is valid for 72 hours.`,
      )
      expect(await (await getPage(app, '/super-admins', cookie)).text()).not.toContain(
        'href="/super-admins/outbox"',
      )
    } finally {
      await smtp.close()
    }
  })

  it('when the server refuses, the invitation still exists and the flash says the mail was not sent', async () => {
    const smtp = await startFakeSmtp('refuse')
    try {
      const app = createApp({
        config: { ...t.config, smtpUrl: smtp.url },
        database: t.database,
        now: t.clock.now,
      })
      const outboxBefore = (await state()).outbox

      const { res, admin } = await invite(inviteFields(), cookie, app)

      expect(res.status).toBe(303)
      expect(admin).toBeDefined()
      expect(await tokensOf(admin!.id)).toHaveLength(1)
      expect(await auditEntries(t.db, 'super_admin.invite')).toContainEqual(
        expect.objectContaining({ target_id: admin!.id }),
      )
      expect((await state()).outbox).toBe(outboxBefore)
      const page = await follow(res, cookie, app)
      expect(page).toContain('role="alert"')
      expect(page).toContain('exists, but the email could not be sent')
      expect(page).not.toContain('not accepting mail')
    } finally {
      await smtp.close()
    }
  })
})
