import { decodeBase32IgnorePadding } from '@oslojs/encoding'
import { beforeAll, describe, expect, it } from 'vitest'
import { createEnrolmentToken } from '../auth/enrolment.js'
import { verifyPassword } from '../auth/password.js'
import { insertSuperAdmin } from '../db/super-admins.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import { totpCode, wrongTotpCode } from '../test-support/factories.js'
import { cookieFrom, getPage, postForm } from '../test-support/requests.js'
import { fieldError } from '../test-support/html.js'
import { useTestApp } from '../test-support/test-app.js'

const t = useTestApp()

const PASSWORD = 'correct horse battery staple'

function now() {
  return new Date(t.clock.now())
}

function findAdmin(email: string) {
  return t.db.selectFrom('super_admins').selectAll().where('email', '=', email).executeTakeFirst()
}

function sessionRow(cookie: string) {
  const id = cookie.split('=')[1].split('.')[0]
  return t.db.selectFrom('super_admin_sessions').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The base32 key the enrolment page shows beside the QR code. */
function shownKey(html: string): Uint8Array {
  const match = /id="totp-key"[^>]*>([A-Z2-7]+)</.exec(html)
  if (!match) throw new Error('no TOTP key on the page')
  return decodeBase32IgnorePadding(match[1])
}

// The setup link only works while no super admin exists, so this block runs first, in order.
describe('the setup link (no super admin yet)', () => {
  let token: string
  let half: string
  let key: Uint8Array

  beforeAll(async () => {
    token = await createEnrolmentToken(t.db, 'setup', null, now())
  })

  it('GET shows the form for the first owner', async () => {
    const res = await getPage(t.app, `/enrol/${token}`)
    const body = await res.text()

    expect(res.status).toBe(200)
    expect(body).toContain('Create the first owner')
    for (const field of ['email', 'name', 'password', 'confirm']) {
      expect(body).toContain(`<label for="field-${field}"`)
    }
  })

  it('a short password answers 422 with the message next to the field and creates no admin', async () => {
    const res = await postForm(t.app, `/enrol/${token}`, {
      email: 'owner@example.com',
      name: 'Olive Owner',
      password: 'short',
      confirm: 'short',
    })
    const body = await res.text()

    expect(res.status).toBe(422)
    expect(body).toContain('aria-describedby="field-password-error"')
    expect(fieldError(body, 'password')).toBe('Use at least 12 characters.')
    expect(body).toContain('value="owner@example.com"')
    expect(await countRows(t.db, 'super_admins')).toBe(0)
    expect(await countRows(t.db, 'super_admin_sessions')).toBe(0)
    expect(cookieFrom(res)).toBeUndefined()
  })

  it('a bad email, a missing name and passwords that differ answer 422 and create no admin', async () => {
    const res = await postForm(t.app, `/enrol/${token}`, {
      email: 'not-an-email',
      name: '',
      password: PASSWORD,
      confirm: PASSWORD + '!',
    })
    const body = await res.text()

    expect(res.status).toBe(422)
    expect(fieldError(body, 'email')).toBe('Enter a valid email address.')
    expect(fieldError(body, 'name')).toBe('Enter a name.')
    expect(fieldError(body, 'confirm')).toBe('The passwords do not match.')
    expect(await countRows(t.db, 'super_admins')).toBe(0)
  })

  it('a form without a password answers 422, not an error page', async () => {
    const res = await postForm(t.app, `/enrol/${token}`, {
      email: 'owner@example.com',
      name: 'Olive Owner',
    })

    expect(res.status).toBe(422)
    expect(await res.text()).toContain('Use at least 12 characters.')
    expect(await countRows(t.db, 'super_admins')).toBe(0)
  })

  it('an absurdly long password answers 422 with the length message', async () => {
    const long = 'abcd'.repeat(300)
    const res = await postForm(t.app, `/enrol/${token}`, {
      email: 'owner@example.com',
      name: 'Olive Owner',
      password: long,
      confirm: long,
    })

    expect(res.status).toBe(422)
    expect(await res.text()).toContain('Use at most 256 characters.')
    expect(await countRows(t.db, 'super_admins')).toBe(0)
  })

  it('a valid form creates the owner with a half session and goes to TOTP enrolment', async () => {
    const res = await postForm(t.app, `/enrol/${token}`, {
      email: 'owner@example.com',
      name: 'Olive Owner',
      password: PASSWORD,
      confirm: PASSWORD,
    })
    half = cookieFrom(res)!

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/enrol/totp')
    const owner = await findAdmin('owner@example.com')
    expect(owner).toMatchObject({
      name: 'Olive Owner',
      role: 'owner',
      is_active: true,
      mfa_enabled: false,
    })
    expect(await verifyPassword(owner!.password_hash!, PASSWORD)).toBe(true)
    expect(await sessionRow(half)).toMatchObject({
      super_admin_id: owner!.id,
      two_factor_verified: false,
    })
    expect((await auditEntries(t.db, 'super_admin.setup'))[0]).toMatchObject({
      actor_id: owner!.id,
      after: { email: 'owner@example.com', name: 'Olive Owner', role: 'owner' },
    })
  })

  it('the half session of a new owner does not open the console before TOTP is enrolled', async () => {
    const res = await getPage(t.app, '/tenants', half)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login')
  })

  it('the link cannot be used twice', async () => {
    const get = await getPage(t.app, `/enrol/${token}`)
    const post = await postForm(t.app, `/enrol/${token}`, {
      email: 'second@example.com',
      name: 'Second',
      password: PASSWORD,
      confirm: PASSWORD,
    })

    expect(get.status).toBe(404)
    expect(await get.text()).toContain('This link cannot be used')
    expect(post.status).toBe(404)
    expect(await findAdmin('second@example.com')).toBeUndefined()
  })

  it('GET /enrol/totp shows the key as text and as an SVG QR code, the same key on reload', async () => {
    const res = await getPage(t.app, '/enrol/totp', half)
    const body = await res.text()
    key = shownKey(body)

    expect(res.status).toBe(200)
    expect(body).toContain('<svg')
    expect(key).toHaveLength(20)
    expect(shownKey(await (await getPage(t.app, '/enrol/totp', half)).text())).toEqual(key)
    const owner = await findAdmin('owner@example.com')
    expect(owner?.totp_secret_encrypted).toMatch(/^v1\./)
    expect(owner?.mfa_enabled).toBe(false)
  })

  it('a wrong code answers 422 and leaves TOTP unenrolled', async () => {
    const res = await postForm(
      t.app,
      '/enrol/totp',
      { code: wrongTotpCode(key, t.clock.now()) },
      half,
    )

    expect(res.status).toBe(422)
    expect(await res.text()).toContain('That code is not valid.')
    expect((await findAdmin('owner@example.com'))?.mfa_enabled).toBe(false)
    expect((await sessionRow(half))?.two_factor_verified).toBe(false)
    expect((await auditEntries(t.db, 'super_admin.enrol_totp.failed')).length).toBe(1)
  })

  it('the right code enrols TOTP, replaces the session with a verified one and opens the console', async () => {
    const res = await postForm(t.app, '/enrol/totp', { code: totpCode(key, t.clock.now()) }, half)
    const full = cookieFrom(res)!

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/tenants')
    const owner = await findAdmin('owner@example.com')
    expect(owner?.mfa_enabled).toBe(true)
    expect(await sessionRow(half)).toBeUndefined()
    expect(await sessionRow(full)).toMatchObject({
      super_admin_id: owner!.id,
      two_factor_verified: true,
    })
    expect((await auditEntries(t.db, 'super_admin.enrol_totp'))[0].actor_id).toBe(owner!.id)
    const flash = cookieFrom(res, 'fleetdeck_flash')!
    const tenants = await getPage(t.app, '/tenants', `${full}; ${flash}`)
    expect(tenants.status).toBe(200)
    expect(await tenants.text()).toContain('Authenticator enrolled. Welcome to Fleetdeck.')
  })

  it('once enrolled, /enrol/totp no longer shows a key and sends the admin to sign in', async () => {
    t.clock.advance(30_000)
    const login = await postForm(t.app, '/login', {
      email: 'owner@example.com',
      password: PASSWORD,
    })
    const half2 = cookieFrom(login)!

    const res = await getPage(t.app, '/enrol/totp', half2)

    expect(login.headers.get('location')).toBe('/login/totp')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login')
  })

  it('a second setup link is refused once an owner exists', async () => {
    const second = await createEnrolmentToken(t.db, 'setup', null, now())
    const admins = await countRows(t.db, 'super_admins')

    const res = await postForm(t.app, `/enrol/${second}`, {
      email: 'late@example.com',
      name: 'Late',
      password: PASSWORD,
      confirm: PASSWORD,
    })

    expect(res.status).toBe(404)
    expect(await countRows(t.db, 'super_admins')).toBe(admins)
  })
})

describe('TOTP enrolment without a half session', () => {
  it('GET and POST /enrol/totp without a session go to /login', async () => {
    const get = await getPage(t.app, '/enrol/totp')
    const post = await postForm(t.app, '/enrol/totp', { code: '123456' })

    expect([get.status, get.headers.get('location')]).toEqual([303, '/login'])
    expect([post.status, post.headers.get('location')]).toEqual([303, '/login'])
  })
})

describe('the enrolment link of an admin created on the command line', () => {
  it('sets the password of that admin, who then enrols TOTP', async () => {
    const admin = await insertSuperAdmin(t.db, {
      email: 'cli@example.com',
      name: 'Cleo Cli',
      role: 'operator',
    })
    const token = await createEnrolmentToken(t.db, 'enrolment', admin.id, now())

    const page = await getPage(t.app, `/enrol/${token}`)
    const pageBody = await page.text()
    const res = await postForm(t.app, `/enrol/${token}`, { password: PASSWORD, confirm: PASSWORD })
    const half = cookieFrom(res)!
    const enrol = await getPage(t.app, '/enrol/totp', half)
    const key = shownKey(await enrol.text())
    const done = await postForm(t.app, '/enrol/totp', { code: totpCode(key, t.clock.now()) }, half)

    expect(page.status).toBe(200)
    expect(pageBody).toContain('Set your password')
    expect(pageBody).toContain('Welcome, Cleo Cli.')
    expect(pageBody).not.toContain('field-email')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/enrol/totp')
    const row = await findAdmin('cli@example.com')
    expect(row).toMatchObject({ role: 'operator', mfa_enabled: true })
    expect(await verifyPassword(row!.password_hash!, PASSWORD)).toBe(true)
    expect((await auditEntries(t.db, 'super_admin.enrol_password')).at(-1)?.actor_id).toBe(admin.id)
    expect(done.status).toBe(303)
    expect(done.headers.get('location')).toBe('/tenants')
    expect((await getPage(t.app, '/tenants', cookieFrom(done))).status).toBe(200)
  })

  it('a short password answers 422 and leaves the admin without a password', async () => {
    const admin = await insertSuperAdmin(t.db, {
      email: 'cli2@example.com',
      name: 'Cai',
      role: 'viewer',
    })
    const token = await createEnrolmentToken(t.db, 'enrolment', admin.id, now())

    const res = await postForm(t.app, `/enrol/${token}`, { password: 'short', confirm: 'short' })

    expect(res.status).toBe(422)
    expect((await findAdmin('cli2@example.com'))?.password_hash).toBeNull()
    expect(await countRows(t.db, 'super_admin_sessions')).toBeGreaterThan(0)
    expect(await getPage(t.app, `/enrol/${token}`)).toHaveProperty('status', 200)
  })

  it('an expired link (older than one hour) answers 404 and sets nothing', async () => {
    const admin = await insertSuperAdmin(t.db, {
      email: 'late-cli@example.com',
      name: 'Lee',
      role: 'viewer',
    })
    const token = await createEnrolmentToken(t.db, 'enrolment', admin.id, now())

    t.clock.advance(60 * 60_000 + 1000)
    const get = await getPage(t.app, `/enrol/${token}`)
    const post = await postForm(t.app, `/enrol/${token}`, { password: PASSWORD, confirm: PASSWORD })

    expect(get.status).toBe(404)
    expect(post.status).toBe(404)
    expect((await findAdmin('late-cli@example.com'))?.password_hash).toBeNull()
  })

  it('a malformed or unknown token answers 404', async () => {
    const unknown = `${'a'.repeat(32)}.${'b'.repeat(32)}`

    expect((await getPage(t.app, `/enrol/${unknown}`)).status).toBe(404)
    expect((await getPage(t.app, '/enrol/not-a-token')).status).toBe(404)
    expect(
      (await postForm(t.app, `/enrol/${unknown}`, { password: PASSWORD, confirm: PASSWORD }))
        .status,
    ).toBe(404)
  })
})
