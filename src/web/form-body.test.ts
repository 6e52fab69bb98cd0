import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createSuperAdmin,
  createTestApp,
  getPage,
  newTenantFields,
  postForm,
  signIn,
  type TestAdmin,
  type TestApp,
} from '../test-support/factories.js'

// Malformed bodies and control characters are refused centrally with 400 before any handler
// runs (src/web/form-body.ts, src/web/text-guard.ts). Before issue 6 each of these was a 500:
// a multipart body that does not parse threw in method override or the handler, and PostgreSQL
// refuses NUL in text.

let t: TestApp
let owner: TestAdmin
let cookie: string

beforeAll(async () => {
  t = await createTestApp()
  owner = await createSuperAdmin(t.db, t.config)
  cookie = await signIn(t.app, owner, t.clock)
})
afterAll(() => t?.close())

/** Row counts of every table a refused request could have written to. */
async function tableCounts() {
  const counts: Record<string, number> = {}
  for (const table of [
    'tenants',
    'audit_log',
    'super_admin_sessions',
    'sign_in_attempts',
    'rate_limits',
  ] as const) {
    const row = await t.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    counts[table] = Number(row.n)
  }
  return counts
}

function sendRaw(path: string, contentType: string, body: string, withCookie = false) {
  return t.app.request(path, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      origin: 'http://localhost',
      ...(withCookie ? { cookie } : {}),
    },
    body,
  })
}

describe('malformed form bodies', () => {
  it('a multipart body that does not parse is refused with 400 before sign-in, and nothing changes', async () => {
    const before = await tableCounts()

    const garbage = await sendRaw('/login', 'multipart/form-data; boundary=x', 'garbage\r\n--y--')
    const noBoundary = await sendRaw('/login', 'multipart/form-data', 'email=a@b.c')
    const truncated = await sendRaw(
      '/login',
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\nada@example.com',
    )

    expect([garbage.status, noBoundary.status, truncated.status]).toEqual([400, 400, 400])
    expect(await garbage.text()).toContain('the form data could not be read')
    expect(await tableCounts()).toEqual(before)
  })

  it('a multipart body that does not parse is refused with 400 on a console route, and nothing changes', async () => {
    const before = await tableCounts()

    const res = await sendRaw('/tenants', 'multipart/form-data; boundary=x', '--x\r\n\0\0', true)

    expect(res.status).toBe(400)
    expect(await tableCounts()).toEqual(before)
  })

  it('a well-formed multipart form still works: a tenant is created from it', async () => {
    const fields = newTenantFields()
    const form = new FormData()
    for (const [k, v] of Object.entries(fields)) form.append(k, v)

    const res = await t.app.request('/tenants', {
      method: 'POST',
      headers: { origin: 'http://localhost', cookie },
      body: form,
    })

    expect(res.status).toBe(303)
    const row = await t.db
      .selectFrom('tenants')
      .select('name')
      .where('slug', '=', fields.slug)
      .executeTakeFirst()
    expect(row?.name).toBe(fields.name)
  })
})

describe('control characters', () => {
  it('NUL in the sign-in email is refused with 400, with no attempt recorded', async () => {
    const before = await tableCounts()

    const res = await postForm(t.app, '/login', {
      email: `${owner.admin.email}\0`,
      password: owner.password,
    })

    expect(res.status).toBe(400)
    expect(await res.text()).toContain('control characters')
    expect(await tableCounts()).toEqual(before)
  })

  it('NUL or another control character in a tenant field is refused with 400 and creates nothing', async () => {
    const before = await tableCounts()

    const nul = await postForm(t.app, '/tenants', newTenantFields({ name: 'Acme\0' }), cookie)
    const escape = await postForm(
      t.app,
      '/tenants',
      newTenantFields({ name: 'Acme\u001b[2J' }),
      cookie,
    )
    const inName = await postForm(t.app, '/tenants', { ...newTenantFields(), 'x\0': 'y' }, cookie)

    expect([nul.status, escape.status, inName.status]).toEqual([400, 400, 400])
    expect(await tableCounts()).toEqual(before)
  })

  it('tabs and line breaks are ordinary text, not control characters to refuse', async () => {
    const res = await postForm(t.app, '/login', {
      email: owner.admin.email,
      password: 'wrong\tpassword\r\n',
    })

    expect(res.status).toBe(401)
  })

  it('NUL in a query string or path is refused with 400: search, audit filters, ids', async () => {
    for (const path of [
      '/tenants?q=%00',
      '/tenants?q=a%00b&status=active',
      '/audit?tenant=acme%00',
      '/audit?action=tenant.create%00',
      '/audit?actor=%01',
      '/audit?%00=x',
      '/tenants/%00',
      '/login?next=%1b',
    ]) {
      const res = await getPage(t.app, path, cookie)

      expect(res.status, path).toBe(400)
    }
  })
})
