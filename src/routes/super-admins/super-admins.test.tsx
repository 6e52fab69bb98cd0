import { createServer, type AddressInfo, type Socket } from 'node:net'
import { decodeBase32IgnorePadding } from '@oslojs/encoding'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createApp, type App } from '../../app.js'
import { createSession } from '../../auth/session.js'
import type { OperatorRole } from '../../db/schema.js'
import {
  changeSuperAdminRole,
  findSuperAdminById,
  setSuperAdminActive,
} from '../../db/super-admins.js'
import {
  auditEntries,
  cookieFrom,
  countRows,
  createSuperAdmin,
  createTestApp,
  getPage,
  postForm,
  sendForm,
  signIn,
  totpCode,
  uniqueSuffix,
  type TestAdmin,
  type TestApp,
} from '../../test-support/factories.js'

let t: TestApp
let owner: TestAdmin
let cookie: string

beforeAll(async () => {
  t = await createTestApp()
  owner = await createSuperAdmin(t.db, t.config, { role: 'owner', name: 'Olive Owner' })
})

// A fresh sign-in before each test: some tests move the clock past the step-up window.
beforeEach(async () => {
  cookie = await signIn(t.app, owner, t.clock)
})

afterAll(() => t?.close())

const PASSWORD = 'correct horse battery staple'
const HOUR = 3600_000

function findAdmin(email: string) {
  return t.db.selectFrom('super_admins').selectAll().where('email', '=', email).executeTakeFirst()
}

function adminRow(id: string) {
  return t.db.selectFrom('super_admins').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

function sessionsOf(id: string) {
  return t.db
    .selectFrom('super_admin_sessions')
    .selectAll()
    .where('super_admin_id', '=', id)
    .execute()
}

function tokensOf(id: string) {
  return t.db.selectFrom('enrolment_tokens').selectAll().where('super_admin_id', '=', id).execute()
}

/** The newest outbox mail to `to`. */
function outboxMailTo(to: string) {
  return t.db
    .selectFrom('mail_outbox')
    .selectAll()
    .where('to_address', '=', to)
    .orderBy('id', 'desc')
    .executeTakeFirst()
}

/** `/enrol/<token>` from a mail body. */
function linkIn(body: string): string {
  const match = /\/enrol\/[a-z2-7]{32}\.[a-z2-7]{32}/.exec(body)
  if (!match) throw new Error(`no link in ${body}`)
  return match[0]
}

/** The base32 key the enrolment page shows beside the QR code. */
function shownKey(html: string): Uint8Array {
  const match = /id="totp-key"[^>]*>([A-Z2-7]+)</.exec(html)
  if (!match) throw new Error('no TOTP key on the page')
  return decodeBase32IgnorePadding(match[1])
}

/** Super admins, sessions, links, outbox and audit: what a refused request must leave as it was. */
async function state() {
  return {
    admins: await t.db.selectFrom('super_admins').selectAll().orderBy('id').execute(),
    sessions: await countRows(t.db, 'super_admin_sessions'),
    tokens: await t.db
      .selectFrom('enrolment_tokens')
      .select(['id', 'used_at'])
      .orderBy('id')
      .execute(),
    outbox: (await t.db.selectFrom('mail_outbox').select('id').execute()).length,
    audit: await countRows(t.db, 'audit_log'),
  }
}

/** Follows a redirect with the session cookie and the flash cookie the response set. */
async function follow(res: Response, session: string, app: App = t.app): Promise<string> {
  const flash = cookieFrom(res, 'fleetdeck_flash')
  const page = await getPage(
    app,
    res.headers.get('location')!,
    flash ? `${session}; ${flash}` : session,
  )
  return page.text()
}

function inviteFields(overrides: Partial<Record<'email' | 'name' | 'role', string>> = {}) {
  return {
    email: `invitee-${uniqueSuffix()}@example.com`,
    name: 'Ivy Invitee',
    role: 'operator',
    ...overrides,
  }
}

async function invite(fields = inviteFields(), as = cookie, app: App = t.app) {
  const res = await postForm(app, '/super-admins', fields, as)
  return { res, fields, admin: await findAdmin(fields.email) }
}

/** Password step as the sign-in form sends it; returns the response (status and location). */
function passwordStep(email: string, password: string, headers: Record<string, string> = {}) {
  return postForm(t.app, '/login', { email, password }, undefined, headers)
}

describe('who may manage super admins', () => {
  const routes = (id: string, sessionId: string): [string, string, Record<string, string>][] => [
    ['GET', '/super-admins', {}],
    ['GET', '/super-admins/new', {}],
    ['POST', '/super-admins', inviteFields({ role: 'owner' })],
    ['GET', '/super-admins/outbox', {}],
    ['GET', `/super-admins/${id}`, {}],
    ['POST', `/super-admins/${id}`, { role: 'owner' }],
    ['POST', `/super-admins/${id}/deactivation`, {}],
    ['DELETE', `/super-admins/${id}/deactivation`, {}],
    ['DELETE', `/super-admins/${id}/totp`, {}],
    ['DELETE', `/super-admins/${id}/sessions/${sessionId}`, {}],
    ['DELETE', `/super-admins/${id}/sessions`, {}],
    ['POST', `/super-admins/${id}/invitation`, {}],
  ]

  it.each<OperatorRole>(['admin', 'operator', 'support', 'viewer'])(
    '%s gets 403 on every /super-admins route and changes nothing',
    async (role) => {
      const who = await createSuperAdmin(t.db, t.config, { role })
      const whoCookie = await signIn(t.app, who, t.clock)
      const target = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
      const { session } = await createSession(
        t.db,
        target.admin.id,
        { twoFactorVerified: true },
        new Date(t.clock.now()),
      )
      const before = await state()

      for (const [method, path, fields] of [
        ...routes(target.admin.id, session.id),
        // Their own row: a viewer cannot make themselves owner either.
        ['POST', `/super-admins/${who.admin.id}`, { role: 'owner' }] as [
          string,
          string,
          Record<string, string>,
        ],
      ]) {
        const res =
          method === 'GET'
            ? await getPage(t.app, path, whoCookie)
            : await sendForm(t.app, method, path, fields, whoCookie)
        expect([method, path, res.status]).toEqual([method, path, 403])
      }
      expect(await state()).toEqual(before)
    },
  )

  it('without a full session every route sends to /login', async () => {
    for (const [method, path] of routes(owner.admin.id, 'x')) {
      const res =
        method === 'GET' ? await getPage(t.app, path) : await sendForm(t.app, method, path, {})
      expect([method, path, res.status, res.headers.get('location')]).toEqual([
        method,
        path,
        303,
        '/login',
      ])
    }
  })

  it('every change needs a TOTP check from the last 10 minutes: otherwise step-up, nothing changed', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    const { session } = await createSession(
      t.db,
      target.admin.id,
      { twoFactorVerified: true },
      new Date(t.clock.now()),
    )
    t.clock.advance(11 * 60_000)
    await t.db
      .updateTable('super_admin_sessions')
      .set({ last_active_at: new Date(t.clock.now()) })
      .where('id', '=', session.id)
      .execute()
    const before = await state()

    for (const [method, path, fields] of routes(target.admin.id, session.id).filter(
      ([method]) => method !== 'GET',
    )) {
      const res = await sendForm(t.app, method, path, fields, cookie)
      expect([method, path, res.status, res.headers.get('location')]).toEqual([
        method,
        path,
        303,
        '/step-up?next=%2Ftenants',
      ])
    }
    expect(await state()).toEqual(before)
  })

  it('the navigation shows Super admins to owners only', async () => {
    const admin = await createSuperAdmin(t.db, t.config, { role: 'admin' })

    const asOwner = await (await getPage(t.app, '/tenants', cookie)).text()
    const asAdmin = await (
      await getPage(t.app, '/tenants', await signIn(t.app, admin, t.clock))
    ).text()

    expect(asOwner).toContain('href="/super-admins"')
    expect(asAdmin).not.toContain('href="/super-admins"')
  })
})

describe('the list', () => {
  it('shows email, name, role, active, MFA, last sign-in and who invited each admin', async () => {
    const { admin: invited } = await invite(
      inviteFields({ name: 'Listed Invitee', role: 'support' }),
    )
    const inactive = await createSuperAdmin(t.db, t.config, { role: 'viewer', isActive: false })

    const res = await getPage(t.app, '/super-admins', cookie)
    const body = await res.text()
    const row = (id: string) =>
      new RegExp(`<tr id="super-admin-${id}"[\\s\\S]*?</tr>`).exec(body)![0]

    expect(res.status).toBe(200)
    expect(row(invited!.id)).toContain(`>${invited!.email}</a>`)
    expect(row(invited!.id)).toContain('<td class="px-3 py-2">Listed Invitee</td>')
    expect(row(invited!.id)).toContain('<td class="px-3 py-2">support</td>')
    expect(row(invited!.id)).toContain('invitation pending')
    expect(row(invited!.id)).toContain('not enrolled')
    expect(row(invited!.id)).toContain(`<td class="px-3 py-2">${owner.admin.email}</td>`)
    expect(row(owner.admin.id)).toContain('(you)')
    expect(row(owner.admin.id)).toContain('>enrolled<')
    expect(row(owner.admin.id)).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/)
    expect(row(inactive.admin.id)).toContain('>deactivated<')
  })

  it('links to the development outbox while SMTP_URL is unset', async () => {
    const body = await (await getPage(t.app, '/super-admins', cookie)).text()

    expect(body).toContain('<a href="/super-admins/outbox"')
    expect(body).toContain('Development outbox (mail is not sent)')
  })
})

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

describe('changing a role', () => {
  it('an owner changes another admin’s role; it is audited and holds from their next request', async () => {
    const other = await createSuperAdmin(t.db, t.config, { role: 'owner' })
    const otherCookie = await signIn(t.app, other, t.clock)

    const res = await postForm(t.app, `/super-admins/${other.admin.id}`, { role: 'viewer' }, cookie)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/super-admins/${other.admin.id}`)
    expect((await adminRow(other.admin.id)).role).toBe('viewer')
    const [entry] = (await auditEntries(t.db, 'super_admin.role_change')).filter(
      (e) => e.target_id === other.admin.id,
    )
    expect(entry).toMatchObject({
      actor_id: owner.admin.id,
      before: { role: 'owner' },
      after: { role: 'viewer' },
    })
    expect((await getPage(t.app, '/super-admins', otherCookie)).status).toBe(403)
  })

  it('an unknown role answers 422 next to the field and changes nothing', async () => {
    const other = await createSuperAdmin(t.db, t.config, { role: 'support' })
    const before = await state()

    const res = await postForm(t.app, `/super-admins/${other.admin.id}`, { role: 'root' }, cookie)

    expect(res.status).toBe(422)
    expect(await res.text()).toContain('<p id="field-role-error" role="alert"')
    expect(await state()).toEqual(before)
  })

  it('an unknown or malformed id answers 404', async () => {
    expect(
      (await postForm(t.app, `/super-admins/${crypto.randomUUID()}`, { role: 'viewer' }, cookie))
        .status,
    ).toBe(404)
    expect((await getPage(t.app, '/super-admins/not-a-uuid', cookie)).status).toBe(404)
  })

  it('with a TOTP check older than 10 minutes, goes to step-up and changes nothing', async () => {
    const other = await createSuperAdmin(t.db, t.config, { role: 'support' })
    t.clock.advance(11 * 60_000)
    const before = await state()

    const res = await postForm(t.app, `/super-admins/${other.admin.id}`, { role: 'owner' }, cookie)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toMatch(/^\/step-up\?next=/)
    expect(await state()).toEqual(before)
  })
})

describe('deactivating and reactivating', () => {
  it('deactivation ends that admin’s sessions at once; their next request goes to /login', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    const targetCookie = await signIn(t.app, target, t.clock)
    await signIn(t.app, target, t.clock)
    expect(await sessionsOf(target.admin.id)).toHaveLength(2)

    const res = await postForm(t.app, `/super-admins/${target.admin.id}/deactivation`, {}, cookie)

    expect(res.status).toBe(303)
    expect((await adminRow(target.admin.id)).is_active).toBe(false)
    expect(await sessionsOf(target.admin.id)).toHaveLength(0)
    const next = await getPage(t.app, '/tenants', targetCookie)
    expect([next.status, next.headers.get('location')]).toEqual([303, '/login'])
    expect((await passwordStep(target.admin.email, target.password)).status).toBe(401)
    const [entry] = (await auditEntries(t.db, 'super_admin.deactivate')).filter(
      (e) => e.target_id === target.admin.id,
    )
    expect(entry).toMatchObject({
      actor_id: owner.admin.id,
      before: { isActive: true },
      after: { isActive: false, sessionsEnded: 2 },
    })
    expect(await follow(res, cookie)).toContain('is deactivated; their sessions have ended.')
  })

  it('reactivation (a form with _method=DELETE) lets the admin sign in again', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'viewer', isActive: false })

    const res = await postForm(
      t.app,
      `/super-admins/${target.admin.id}/deactivation`,
      { _method: 'DELETE' },
      cookie,
    )

    expect(res.status).toBe(303)
    expect((await adminRow(target.admin.id)).is_active).toBe(true)
    expect((await passwordStep(target.admin.email, target.password)).status).toBe(303)
    const [entry] = (await auditEntries(t.db, 'super_admin.reactivate')).filter(
      (e) => e.target_id === target.admin.id,
    )
    expect(entry).toMatchObject({ before: { isActive: false }, after: { isActive: true } })
  })

  it('deactivating an invited admin revokes their invitation link', async () => {
    const { fields, admin } = await invite()
    const link = linkIn((await outboxMailTo(fields.email))!.body)

    await postForm(t.app, `/super-admins/${admin!.id}/deactivation`, {}, cookie)

    expect((await getPage(t.app, link)).status).toBe(404)
  })

  it('deactivating an admin twice answers 409 and changes nothing the second time', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'viewer', isActive: false })
    const before = await state()

    const res = await postForm(t.app, `/super-admins/${target.admin.id}/deactivation`, {}, cookie)

    expect(res.status).toBe(409)
    expect(await state()).toEqual(before)
  })
})

describe('resetting TOTP', () => {
  it('resets another admin’s authenticator and ends their sessions; they re-enrol at the next sign-in', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'support' })
    const targetCookie = await signIn(t.app, target, t.clock)

    const res = await sendForm(t.app, 'DELETE', `/super-admins/${target.admin.id}/totp`, {}, cookie)

    expect(res.status).toBe(303)
    expect(await adminRow(target.admin.id)).toMatchObject({
      mfa_enabled: false,
      totp_secret_encrypted: null,
      totp_last_step: null,
    })
    expect(await sessionsOf(target.admin.id)).toHaveLength(0)
    expect((await getPage(t.app, '/tenants', targetCookie)).headers.get('location')).toBe('/login')
    const [entry] = (await auditEntries(t.db, 'super_admin.reset_totp')).filter(
      (e) => e.target_id === target.admin.id,
    )
    expect(entry).toMatchObject({
      actor_id: owner.admin.id,
      before: { mfaEnabled: true },
      after: { mfaEnabled: false, sessionsEnded: 1 },
    })

    t.clock.advance(30_000)
    const password = await passwordStep(target.admin.email, target.password)
    expect(password.headers.get('location')).toBe('/enrol/totp')
    const half = cookieFrom(password)!
    expect((await getPage(t.app, '/tenants', half)).headers.get('location')).toBe('/login')
    const key = shownKey(await (await getPage(t.app, '/enrol/totp', half)).text())
    expect(Buffer.from(key).equals(Buffer.from(target.totpKey))).toBe(false)
    const enrolled = await postForm(
      t.app,
      '/enrol/totp',
      { code: totpCode(key, t.clock.now()) },
      half,
    )
    expect(enrolled.headers.get('location')).toBe('/tenants')
    expect((await getPage(t.app, '/tenants', cookieFrom(enrolled))).status).toBe(200)
  })

  it('lifts a TOTP lockout, so an admin who lost the device can re-enrol at once', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    const lockedUntil = new Date(t.clock.now() + 24 * HOUR)
    await t.db
      .updateTable('super_admins')
      .set({ failed_totp_count: 20, locked_until: lockedUntil })
      .where('id', '=', target.admin.id)
      .execute()

    await sendForm(t.app, 'DELETE', `/super-admins/${target.admin.id}/totp`, {}, cookie)

    expect(await adminRow(target.admin.id)).toMatchObject({
      failed_totp_count: 0,
      locked_until: null,
    })
    const password = await passwordStep(target.admin.email, target.password)
    expect(password.headers.get('location')).toBe('/enrol/totp')
  })

  it('is refused for yourself (403), and your own page offers no reset', async () => {
    const before = await state()

    const res = await sendForm(t.app, 'DELETE', `/super-admins/${owner.admin.id}/totp`, {}, cookie)
    const page = await (await getPage(t.app, `/super-admins/${owner.admin.id}`, cookie)).text()

    expect(res.status).toBe(403)
    expect(await res.text()).toContain(
      'You cannot reset your own TOTP: another super admin must do it.',
    )
    expect(await state()).toEqual(before)
    expect(page).not.toContain(`action="/super-admins/${owner.admin.id}/totp"`)
    expect(page).toContain('Another super admin with this permission must reset your TOTP.')
  })

  it('another admin’s page offers the reset', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'viewer' })

    const page = await (await getPage(t.app, `/super-admins/${target.admin.id}`, cookie)).text()

    expect(page).toContain(`action="/super-admins/${target.admin.id}/totp"`)
    expect(page).toContain('>Reset TOTP</button>')
  })

  it('with a TOTP check older than 10 minutes, goes to step-up and resets nothing', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    t.clock.advance(11 * 60_000)
    const before = await state()

    const res = await sendForm(t.app, 'DELETE', `/super-admins/${target.admin.id}/totp`, {}, cookie)

    expect(res.headers.get('location')).toMatch(/^\/step-up\?next=/)
    expect(await state()).toEqual(before)
  })
})

describe('sessions and sign-in history on an admin’s page', () => {
  it('shows the active sessions and the sign-in attempts: time, address, browser, outcome', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
    await t.app.request(
      '/login',
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'http://localhost',
          'user-agent': firefox,
        },
        body: new URLSearchParams({
          email: target.admin.email,
          password: 'wrong password',
        }).toString(),
      },
      { incoming: { socket: { remoteAddress: '203.0.113.9' } } },
    )
    await signIn(t.app, target, t.clock)

    const body = await (await getPage(t.app, `/super-admins/${target.admin.id}`, cookie)).text()
    const history = body.slice(body.indexOf('id="sign-in-history"'))

    expect(body).toContain('Active sessions (1)')
    expect(history).toContain('203.0.113.9')
    expect(history).toContain('Firefox 128 on Linux')
    expect(history).toContain('wrong password')
    expect(history).toContain('signed in')
    expect(history.indexOf('signed in')).toBeLessThan(history.indexOf('wrong password'))
  })

  it('an owner ends one session of another admin; the other session goes on', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'operator' })
    const first = await signIn(t.app, target, t.clock)
    const second = await signIn(t.app, target, t.clock)
    const firstId = first.split('=')[1].split('.')[0]

    const res = await sendForm(
      t.app,
      'DELETE',
      `/super-admins/${target.admin.id}/sessions/${firstId}`,
      {},
      cookie,
    )

    expect(res.status).toBe(303)
    expect((await sessionsOf(target.admin.id)).map((s) => s.id)).not.toContain(firstId)
    expect((await getPage(t.app, '/tenants', first)).headers.get('location')).toBe('/login')
    expect((await getPage(t.app, '/tenants', second)).status).toBe(200)
    const [entry] = (await auditEntries(t.db, 'super_admin.sessions.end')).filter(
      (e) => e.target_id === target.admin.id,
    )
    expect(entry).toMatchObject({
      actor_id: owner.admin.id,
      after: { sessionId: firstId.slice(0, 8) },
    })
  })

  it('an owner ends all sessions of another admin', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'operator' })
    await signIn(t.app, target, t.clock)
    await signIn(t.app, target, t.clock)

    const res = await postForm(
      t.app,
      `/super-admins/${target.admin.id}/sessions`,
      { _method: 'DELETE' },
      cookie,
    )

    expect(res.status).toBe(303)
    expect(await sessionsOf(target.admin.id)).toHaveLength(0)
    const [entry] = (await auditEntries(t.db, 'super_admin.sessions.end')).filter(
      (e) => e.target_id === target.admin.id,
    )
    expect(entry).toMatchObject({ after: { sessionsEnded: 2 } })
  })

  it('a session of a different admin cannot be ended through this admin’s URL (404)', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'operator' })
    const bystander = await createSuperAdmin(t.db, t.config, { role: 'operator' })
    const bystanderId = (await signIn(t.app, bystander, t.clock)).split('=')[1].split('.')[0]
    const before = await state()

    const res = await sendForm(
      t.app,
      'DELETE',
      `/super-admins/${target.admin.id}/sessions/${bystanderId}`,
      {},
      cookie,
    )

    expect(res.status).toBe(404)
    expect(await state()).toEqual(before)
  })
})

describe('the development outbox', () => {
  it('is clearly marked and lists mail newest first, with the link clickable', async () => {
    const first = await invite()
    const second = await invite()

    const body = await (await getPage(t.app, '/super-admins/outbox', cookie)).text()
    const link = linkIn((await outboxMailTo(second.fields.email))!.body)

    expect(body).toContain('Development outbox — mail is not being sent.')
    expect(body.indexOf(second.fields.email)).toBeLessThan(body.indexOf(first.fields.email))
    expect(body).toContain(`<a href="${t.config.publicUrl}${link}"`)
  })

  it('reading it is audited: who read it and which mails were shown', async () => {
    const { fields } = await invite()
    const mail = (await outboxMailTo(fields.email))!

    const res = await getPage(t.app, '/super-admins/outbox', cookie)

    expect(res.status).toBe(200)
    const [entry] = (await auditEntries(t.db, 'mail.outbox.read')).slice(-1)
    expect(entry).toMatchObject({
      actor_id: owner.admin.id,
      actor_email: owner.admin.email,
      target_type: 'mail_outbox',
    })
    expect((entry.after as { shown: number[] }).shown).toContain(Number(mail.id))
  })

  it('a mail whose link was used, or replaced by a new one, leaves it', async () => {
    const accepted = await invite()
    const acceptedLink = linkIn((await outboxMailTo(accepted.fields.email))!.body)
    const resent = await invite()
    const oldLink = linkIn((await outboxMailTo(resent.fields.email))!.body)
    const pending = await invite()

    const password = await postForm(t.app, acceptedLink, { password: PASSWORD, confirm: PASSWORD })
    expect(password.status).toBe(303)
    await postForm(t.app, `/super-admins/${resent.admin!.id}/invitation`, {}, cookie)
    const newLink = linkIn((await outboxMailTo(resent.fields.email))!.body)
    const body = await (await getPage(t.app, '/super-admins/outbox', cookie)).text()

    expect(body).not.toContain(acceptedLink)
    expect(body).not.toContain(oldLink)
    expect(body).toContain(newLink)
    expect(body).toContain(linkIn((await outboxMailTo(pending.fields.email))!.body))
    const [entry] = (await auditEntries(t.db, 'mail.outbox.read')).slice(-1)
    expect((entry.after as { spentLinksHidden: number }).spentLinksHidden).toBeGreaterThanOrEqual(2)
  })
})

describe('the last active owner', () => {
  // A database of its own: here the number of owners must be known exactly.
  let u: TestApp
  let only: TestAdmin
  let onlyCookie: string

  beforeAll(async () => {
    u = await createTestApp()
    only = await createSuperAdmin(u.db, u.config, { role: 'owner' })
  })
  beforeEach(async () => {
    onlyCookie = await signIn(u.app, only, u.clock)
  })
  afterAll(() => u?.close())

  const activeOwners = () =>
    u.db
      .selectFrom('super_admins')
      .select('id')
      .where('role', '=', 'owner')
      .where('is_active', '=', true)
      .execute()

  it('cannot be demoted: 422 with the message next to the role, nothing changed', async () => {
    const audit = await countRows(u.db, 'audit_log')

    const res = await postForm(
      u.app,
      `/super-admins/${only.admin.id}`,
      { role: 'admin' },
      onlyCookie,
    )

    expect(res.status).toBe(422)
    expect(await res.text()).toContain(
      'This is the last active owner: make another admin an owner first.',
    )
    expect((await activeOwners()).map((o) => o.id)).toEqual([only.admin.id])
    expect(await countRows(u.db, 'audit_log')).toBe(audit)
  })

  it('cannot be deactivated: 422, nothing changed, sessions kept', async () => {
    const audit = await countRows(u.db, 'audit_log')
    const sessions = await countRows(u.db, 'super_admin_sessions')

    const res = await postForm(u.app, `/super-admins/${only.admin.id}/deactivation`, {}, onlyCookie)

    expect(res.status).toBe(422)
    expect(await res.text()).toContain('This is the last active owner')
    expect((await activeOwners()).map((o) => o.id)).toEqual([only.admin.id])
    expect(await countRows(u.db, 'audit_log')).toBe(audit)
    expect(await countRows(u.db, 'super_admin_sessions')).toBe(sessions)
  })

  it('a deactivated owner does not count as another owner', async () => {
    await createSuperAdmin(u.db, u.config, { role: 'owner', isActive: false })

    const res = await postForm(
      u.app,
      `/super-admins/${only.admin.id}`,
      { role: 'viewer' },
      onlyCookie,
    )

    expect(res.status).toBe(422)
  })

  it('of two owners, two demotions sent at once cannot both pass', async () => {
    const second = await createSuperAdmin(u.db, u.config, { role: 'owner' })

    const results = await Promise.all([
      postForm(u.app, `/super-admins/${only.admin.id}`, { role: 'admin' }, onlyCookie),
      postForm(u.app, `/super-admins/${second.admin.id}`, { role: 'admin' }, onlyCookie),
    ])

    expect(results.map((r) => r.status).filter((s) => s === 303)).toHaveLength(1)
    expect(await activeOwners()).toHaveLength(1)
  })

  it('a second change waits for the first one’s row locks, then sees it and refuses', async () => {
    await u.db
      .updateTable('super_admins')
      .set({ role: 'viewer' })
      .where('role', '=', 'owner')
      .execute()
    const a = await createSuperAdmin(u.db, u.config, { role: 'owner' })
    const b = await createSuperAdmin(u.db, u.config, { role: 'owner' })

    // The first transaction demotes A and holds its locks a while before it commits.
    const first = u.db.transaction().execute(async (trx) => {
      const result = await changeSuperAdminRole(trx, a.admin.id, 'admin')
      await new Promise((resolve) => setTimeout(resolve, 300))
      return result
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const second = u.db.transaction().execute((trx) => setSuperAdminActive(trx, b.admin.id, false))

    expect(await first).toEqual({ ok: true, before: 'owner' })
    expect(await second).toEqual({ ok: false, reason: 'last_owner' })
    expect((await activeOwners()).map((o) => o.id)).toEqual([b.admin.id])
  })
})
