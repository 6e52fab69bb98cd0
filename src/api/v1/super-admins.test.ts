import { beforeAll, describe, expect, it } from 'vitest'
import type { Permission } from '../../auth/permissions.js'
import { apiTokenId, bearer, createTestApiToken } from '../../test-support/api-tokens.js'
import { auditEntries } from '../../test-support/database-state.js'
import { createSuperAdmin, uniqueSuffix, type TestAdmin } from '../../test-support/factories.js'
import { expectConforms, type OpenApiDocument } from '../../test-support/openapi-conformance.js'
import { signIn } from '../../test-support/requests.js'
import { useTestApp } from '../../test-support/test-app.js'

// /api/v1/super-admins (issue 14 item 1): the list, an invitation and a deactivation through a
// token. Changes need a token made with step-up, as the console asks for a fresh TOTP; no answer
// carries a hash, TOTP secret or link token.

const t = useTestApp()
let document: OpenApiDocument
let owner: TestAdmin

const MANAGE: Permission[] = ['saas.super_admins.manage']

beforeAll(async () => {
  document = (await (await t.app.request('/api/v1/openapi.json')).json()) as OpenApiDocument
  owner = await createSuperAdmin(t.db, t.config, { role: 'owner' })
})

const token = (stepUp: boolean, permissions: Permission[] = MANAGE, who = owner) =>
  createTestApiToken(t.db, who.admin.id, permissions, { stepUp, now: new Date(t.clock.now()) })

type Call = { method: string; path: string; template: string; body?: unknown; raw?: string }

/** One API call with `tok`; the answer is checked against the document, then returned. */
async function call(tok: string | undefined, c: Call) {
  const headers: Record<string, string> = tok ? bearer(tok) : {}
  if (c.body !== undefined || c.raw !== undefined) headers['Content-Type'] = 'application/json'
  const res = await t.app.request(c.path, {
    method: c.method,
    headers,
    body: c.raw ?? (c.body === undefined ? undefined : JSON.stringify(c.body)),
  })
  const body = (await expectConforms(document, c.method, c.template, res)) as any
  return { status: res.status, body, res }
}

const adminByEmail = (email: string) =>
  t.db.selectFrom('super_admins').selectAll().where('email', '=', email).executeTakeFirst()

const byToken = async (action: string, tok: string) =>
  (await auditEntries(t.db, action)).filter((e) => e.api_token_id === apiTokenId(tok))

const invitee = () => ({
  email: `invitee-${uniqueSuffix()}@example.com`,
  name: 'Ivy Invitee',
  role: 'support',
})

describe('GET /api/v1/super-admins', () => {
  it('lists every admin without a hash, secret or link', async () => {
    const other = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    const tok = await token(false)
    const { status, body, res } = await call(tok, {
      method: 'GET',
      path: '/api/v1/super-admins',
      template: '/super-admins',
    })
    expect(status).toBe(200)
    const listed = body.data.find((a: { id: string }) => a.id === other.admin.id)
    expect(listed).toMatchObject({ email: other.admin.email, role: 'viewer', isActive: true })
    const text = await res.text()
    expect(text).not.toMatch(/password|totp|secret|hash/i)
  })

  it('403 for a token without the permission, or whose owner’s role lost it', async () => {
    const admin = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    for (const tok of [
      await token(false, ['saas.users.view']),
      await token(false, MANAGE, admin),
    ]) {
      const { status, body } = await call(tok, {
        method: 'GET',
        path: '/api/v1/super-admins',
        template: '/super-admins',
      })
      expect(status).toBe(403)
      expect(body.code).toBe('forbidden')
    }
  })
})

describe('POST /api/v1/super-admins', () => {
  const template = '/super-admins'
  const path = '/api/v1/super-admins'

  it('invites with a step-up token: 201, the admin, the mail, the audit entry with the token', async () => {
    const tok = await token(true)
    const input = invitee()
    const { status, body, res } = await call(tok, { method: 'POST', path, template, body: input })
    expect(status).toBe(201)
    expect(body.superAdmin).toMatchObject({
      email: input.email,
      role: 'support',
      isActive: true,
      invitationPending: true,
      invitedBy: { id: owner.admin.id, email: owner.admin.email },
    })
    expect(body.invitation.delivery).toBe('outbox')
    const row = await adminByEmail(input.email)
    expect(row).toMatchObject({ role: 'support', password_hash: null, created_by: owner.admin.id })
    const mail = await t.db
      .selectFrom('mail_outbox')
      .selectAll()
      .where('to_address', '=', input.email)
      .executeTakeFirst()
    expect(mail).toBeDefined()
    const linkToken = /\/enrol\/([a-z2-7.]+)/.exec(JSON.stringify(mail))?.[1]
    expect(linkToken).toBeTruthy()
    expect(await res.text()).not.toContain(linkToken!)
    const [entry] = await byToken('super_admin.invite', tok)
    expect(entry).toMatchObject({ target_id: row!.id, actor_id: owner.admin.id })
  })

  it('403 step_up_required for a token made without step-up; nobody is invited', async () => {
    const tok = await token(false)
    const input = invitee()
    const { status, body } = await call(tok, { method: 'POST', path, template, body: input })
    expect(status).toBe(403)
    expect(body.code).toBe('step_up_required')
    expect(await adminByEmail(input.email)).toBeUndefined()
  })

  it('422 for invalid fields or a taken email, 400 for malformed JSON; nothing written', async () => {
    const tok = await token(true)
    const before = await t.db.selectFrom('super_admins').select('id').execute()
    const bad = await call(tok, {
      method: 'POST',
      path,
      template,
      body: { email: 'not-an-email', name: '', role: 'king' },
    })
    expect(bad.status).toBe(422)
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'email',
      'name',
      'role',
    ])
    const taken = await call(tok, {
      method: 'POST',
      path,
      template,
      body: { email: owner.admin.email.toUpperCase(), name: 'Twin', role: 'viewer' },
    })
    expect(taken.status).toBe(422)
    expect(taken.body.errors).toEqual([
      { field: 'email', message: 'A super admin with this email already exists.' },
    ])
    const malformed = await call(tok, { method: 'POST', path, template, raw: '{"email"' })
    expect(malformed.status).toBe(400)
    expect(await t.db.selectFrom('super_admins').select('id').execute()).toHaveLength(before.length)
    expect(await byToken('super_admin.invite', tok)).toHaveLength(0)
  })
})

describe('POST /api/v1/super-admins/{id}/deactivation', () => {
  const template = '/super-admins/{id}/deactivation'

  it('deactivates: sessions end, their API tokens stop at once, audited with the token; DELETE reactivates', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    await signIn(t.app, target, t.clock)
    const theirs = await createTestApiToken(t.db, target.admin.id, ['saas.users.view'])
    expect((await t.app.request('/api/v1/users', { headers: bearer(theirs) })).status).toBe(200)
    const tok = await token(true)
    const path = `/api/v1/super-admins/${target.admin.id}/deactivation`
    const { status, body } = await call(tok, { method: 'POST', path, template })
    expect(status).toBe(200)
    expect(body).toMatchObject({ superAdmin: { id: target.admin.id, isActive: false } })
    expect(body.sessionsEnded).toBe(1)
    const row = await adminByEmail(target.admin.email)
    expect(row!.is_active).toBe(false)
    const sessions = await t.db
      .selectFrom('super_admin_sessions')
      .select('id')
      .where('super_admin_id', '=', target.admin.id)
      .execute()
    expect(sessions).toEqual([])
    expect((await t.app.request('/api/v1/users', { headers: bearer(theirs) })).status).toBe(401)
    expect(await byToken('super_admin.deactivate', tok)).toHaveLength(1)

    const again = await call(tok, { method: 'POST', path, template })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe('conflict')

    const back = await call(tok, { method: 'DELETE', path, template })
    expect(back.status).toBe(200)
    expect(back.body).toMatchObject({ id: target.admin.id, isActive: true })
    expect((await adminByEmail(target.admin.email))!.is_active).toBe(true)
    expect(await byToken('super_admin.reactivate', tok)).toHaveLength(1)
    const twice = await call(tok, { method: 'DELETE', path, template })
    expect([twice.status, twice.body.code]).toEqual([409, 'conflict'])
    const plain = await call(await token(false), { method: 'DELETE', path, template })
    expect([plain.status, plain.body.code]).toEqual([403, 'step_up_required'])
  })

  it('403 step_up_required without step-up; 404 for an unknown or malformed id', async () => {
    const target = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    const plain = await call(await token(false), {
      method: 'POST',
      path: `/api/v1/super-admins/${target.admin.id}/deactivation`,
      template,
    })
    expect(plain.status).toBe(403)
    expect(plain.body.code).toBe('step_up_required')
    expect((await adminByEmail(target.admin.email))!.is_active).toBe(true)
    const tok = await token(true)
    for (const id of [crypto.randomUUID(), 'nope']) {
      const missing = await call(tok, {
        method: 'POST',
        path: `/api/v1/super-admins/${id}/deactivation`,
        template,
      })
      expect(missing.status).toBe(404)
    }
  })

  it('409 last_owner: the last active owner cannot be deactivated', async () => {
    await t.db
      .updateTable('super_admins')
      .set({ is_active: false })
      .where('role', '=', 'owner')
      .where('id', '<>', owner.admin.id)
      .execute()
    const tok = await token(true)
    const { status, body } = await call(tok, {
      method: 'POST',
      path: `/api/v1/super-admins/${owner.admin.id}/deactivation`,
      template,
    })
    expect(status).toBe(409)
    expect(body.code).toBe('last_owner')
    expect((await adminByEmail(owner.admin.email))!.is_active).toBe(true)
  })
})
