import { beforeAll, describe, expect, it } from 'vitest'
import { AUTHORIZATION_MATRIX } from '../../auth/authorization-matrix.js'
import { PERMISSIONS, type Permission } from '../../auth/permissions.js'
import { apiTokenId, bearer, createTestApiToken } from '../../test-support/api-tokens.js'
import { auditEntries } from '../../test-support/database-state.js'
import {
  addMembership,
  createFlag,
  createSuperAdmin,
  createTenant,
  createUser,
  type TestAdmin,
} from '../../test-support/factories.js'
import { expectConforms, type OpenApiDocument } from '../../test-support/openapi-conformance.js'
import { useTestApp } from '../../test-support/test-app.js'

// /api/v1/users (issue 14 item 1): the directory, a user, status and memberships through a
// token — every answer checked against /api/v1/openapi.json, every write's state and audit entry
// (with the token's id) read back. The last block walks the matrix's entries of this engineer's
// routes (users, super admins, stats, flags): 403 without the permission, past it with it.

const t = useTestApp()
let document: OpenApiDocument
let owner: TestAdmin

beforeAll(async () => {
  document = (await (await t.app.request('/api/v1/openapi.json')).json()) as OpenApiDocument
  owner = await createSuperAdmin(t.db, t.config, { role: 'owner' })
})

const token = (permissions: Permission[] = ['saas.users.view', 'saas.users.edit']) =>
  createTestApiToken(t.db, owner.admin.id, permissions, { now: new Date(t.clock.now()) })

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

const membershipRole = async (userId: string, tenantId: string) =>
  (
    await t.db
      .selectFrom('memberships')
      .select('role')
      .where('user_id', '=', userId)
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst()
  )?.role

const byToken = async (action: string, tok: string) =>
  (await auditEntries(t.db, action)).filter((e) => e.api_token_id === apiTokenId(tok))

describe('GET /api/v1/users', () => {
  it('searches with the console filters and pages with the cursor until null', async () => {
    const marker = `zpeople${Date.now().toString(36)}`
    const made = []
    for (let i = 0; i < 5; i += 1) {
      made.push(
        await createUser(t.db, {
          email: `${marker}-${i}@example.com`,
          createdAt: new Date(Date.UTC(2026, 0, 1 + i)),
        }),
      )
    }
    const tok = await token(['saas.users.view'])
    const seen: string[] = []
    let path = `/api/v1/users?q=${marker}&limit=2`
    for (let pages = 0; pages < 5; pages += 1) {
      const { status, body } = await call(tok, { method: 'GET', path, template: '/users' })
      expect(status).toBe(200)
      seen.push(...body.data.map((u: { id: string }) => u.id))
      if (!body.nextCursor) break
      path = `/api/v1/users?q=${marker}&limit=2&cursor=${body.nextCursor}`
    }
    // Newest first, as the directory.
    expect(seen).toEqual(made.map((u) => u.id).reverse())
  })

  it('filters by status and by tenant', async () => {
    const tenant = await createTenant(t.db)
    const member = await createUser(t.db, { status: 'disabled' })
    await addMembership(t.db, member, tenant, 'admin')
    await createUser(t.db, { status: 'disabled' })
    const tok = await token(['saas.users.view'])
    const { body } = await call(tok, {
      method: 'GET',
      path: `/api/v1/users?tenantId=${tenant.id}&status=disabled`,
      template: '/users',
    })
    expect(body.data.map((u: { id: string }) => u.id)).toEqual([member.id])
    expect(body.data[0]).toMatchObject({ email: member.email, status: 'disabled' })
    expect(body.total).toEqual({ count: 1, exact: true })
  })

  it('422 with the field for a filter it does not know', async () => {
    const tok = await token(['saas.users.view'])
    for (const [query, field] of [
      ['status=sleeping', 'status'],
      ['signedIn=12', 'signedIn'],
      ['cursor=nope', 'cursor'],
      ['limit=0', 'limit'],
      ['tenantId=x', 'tenantId'],
    ]) {
      const { status, body } = await call(tok, {
        method: 'GET',
        path: `/api/v1/users?${query}`,
        template: '/users',
      })
      expect(status, query).toBe(422)
      expect(body.errors.map((e: { field: string }) => e.field)).toContain(field)
    }
  })

  it('401 without a token, or with a revoked, expired or deactivated owner’s token', async () => {
    const now = new Date(t.clock.now())
    const other = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    const revoked = await createTestApiToken(t.db, owner.admin.id, ['saas.users.view'], {
      revokedAt: now,
    })
    const expired = await createTestApiToken(t.db, owner.admin.id, ['saas.users.view'], {
      now: new Date(now.getTime() - 2 * 86_400_000),
      expiresAt: new Date(now.getTime() - 1000),
    })
    const orphan = await createTestApiToken(t.db, other.admin.id, ['saas.users.view'])
    await t.db
      .updateTable('super_admins')
      .set({ is_active: false })
      .where('id', '=', other.admin.id)
      .execute()
    for (const tok of [undefined, revoked, expired, orphan]) {
      const { status, body } = await call(tok, {
        method: 'GET',
        path: '/api/v1/users',
        template: '/users',
      })
      expect(status).toBe(401)
      expect(body.code).toBe('unauthorized')
    }
  })

  it('403 for a token without saas.users.view, and the refusal is audited with its id', async () => {
    const tok = await token(['saas.tenants.view'])
    const { status, body } = await call(tok, {
      method: 'GET',
      path: '/api/v1/users',
      template: '/users',
    })
    expect(status).toBe(403)
    expect(body.code).toBe('forbidden')
    expect(await byToken('api.refused', tok)).toHaveLength(1)
  })
})

describe('GET /api/v1/users/{id}', () => {
  it('returns the user with every membership; 404 for an unknown or malformed id', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)
    await addMembership(t.db, user, tenant, 'owner')
    const tok = await token(['saas.users.view'])
    const { status, body } = await call(tok, {
      method: 'GET',
      path: `/api/v1/users/${user.id}`,
      template: '/users/{id}',
    })
    expect(status).toBe(200)
    expect(body).toMatchObject({ id: user.id, email: user.email })
    expect(body.memberships).toEqual([
      expect.objectContaining({ tenantId: tenant.id, slug: tenant.slug, role: 'owner' }),
    ])
    expect(await byToken('api.read', tok)).toHaveLength(1)
    for (const id of [crypto.randomUUID(), 'not-a-uuid']) {
      const missing = await call(tok, {
        method: 'GET',
        path: `/api/v1/users/${id}`,
        template: '/users/{id}',
      })
      expect(missing.status).toBe(404)
      expect(missing.body.code).toBe('not_found')
    }
  })
})

describe('PATCH /api/v1/users/{id}', () => {
  it('disables and enables, audited with the token id; the same status again writes nothing', async () => {
    const user = await createUser(t.db)
    const tok = await token()
    const template = '/users/{id}'
    const path = `/api/v1/users/${user.id}`
    const disabled = await call(tok, {
      method: 'PATCH',
      path,
      template,
      body: { status: 'disabled' },
    })
    expect(disabled.status).toBe(200)
    expect(disabled.body.status).toBe('disabled')
    const row = await t.db
      .selectFrom('users')
      .select('status')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow()
    expect(row.status).toBe('disabled')
    const [entry] = await byToken('user.disable', tok)
    expect(entry).toMatchObject({ target_id: user.id, actor_id: owner.admin.id })
    expect(entry.before).toEqual({ status: 'active' })
    const again = await call(tok, { method: 'PATCH', path, template, body: { status: 'disabled' } })
    expect(again.status).toBe(200)
    expect(await byToken('user.disable', tok)).toHaveLength(1)
    const enabled = await call(tok, { method: 'PATCH', path, template, body: { status: 'active' } })
    expect(enabled.body.status).toBe('active')
    expect(await byToken('user.enable', tok)).toHaveLength(1)
  })

  it('422 for another status or field, 400 for malformed JSON, nothing written', async () => {
    const user = await createUser(t.db)
    const tok = await token()
    const template = '/users/{id}'
    const path = `/api/v1/users/${user.id}`
    const bad = await call(tok, { method: 'PATCH', path, template, body: { status: 'invited' } })
    expect(bad.status).toBe(422)
    expect(bad.body.errors[0]).toEqual({ field: 'status', message: 'Choose active or disabled.' })
    const extra = await call(tok, {
      method: 'PATCH',
      path,
      template,
      body: { status: 'disabled', email: 'x@example.com' },
    })
    expect(extra.status).toBe(422)
    const malformed = await call(tok, { method: 'PATCH', path, template, raw: '{"status":' })
    expect(malformed.status).toBe(400)
    expect(
      (
        await t.db
          .selectFrom('users')
          .select('status')
          .where('id', '=', user.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('active')
    expect(await byToken('user.disable', tok)).toHaveLength(0)
  })

  it('409 when an invited user is asked to become active (the console cannot either)', async () => {
    const user = await createUser(t.db, { status: 'invited' })
    const tok = await token()
    const { status, body } = await call(tok, {
      method: 'PATCH',
      path: `/api/v1/users/${user.id}`,
      template: '/users/{id}',
      body: { status: 'active' },
    })
    expect(status).toBe(409)
    expect(body.code).toBe('conflict')
  })

  it('403 for a token that can only view', async () => {
    const user = await createUser(t.db)
    const tok = await token(['saas.users.view'])
    const { status } = await call(tok, {
      method: 'PATCH',
      path: `/api/v1/users/${user.id}`,
      template: '/users/{id}',
      body: { status: 'disabled' },
    })
    expect(status).toBe(403)
    expect(
      (
        await t.db
          .selectFrom('users')
          .select('status')
          .where('id', '=', user.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('active')
  })
})

describe('PUT and DELETE /api/v1/users/{id}/memberships/{tenantId}', () => {
  const template = '/users/{id}/memberships/{tenantId}'

  it('adds (201), changes the role (200), removes (204), each audited with the token id', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)
    const tok = await token()
    const path = `/api/v1/users/${user.id}/memberships/${tenant.id}`
    const added = await call(tok, { method: 'PUT', path, template, body: { role: 'member' } })
    expect(added.status).toBe(201)
    expect(added.body).toMatchObject({ tenantId: tenant.id, slug: tenant.slug, role: 'member' })
    expect(await membershipRole(user.id, tenant.id)).toBe('member')
    expect(await byToken('membership.add', tok)).toHaveLength(1)

    const changed = await call(tok, { method: 'PUT', path, template, body: { role: 'admin' } })
    expect(changed.status).toBe(200)
    expect(await membershipRole(user.id, tenant.id)).toBe('admin')
    const [change] = await byToken('membership.role_change', tok)
    expect([change.before, change.after]).toEqual([{ role: 'member' }, { role: 'admin' }])

    const removed = await call(tok, { method: 'DELETE', path, template })
    expect(removed.status).toBe(204)
    expect(await membershipRole(user.id, tenant.id)).toBeUndefined()
    expect(await byToken('membership.remove', tok)).toHaveLength(1)

    const gone = await call(tok, { method: 'DELETE', path, template })
    expect(gone.status).toBe(404)
  })

  it('409 last_owner: the tenant keeps its only owner, as in the console', async () => {
    const tenant = await createTenant(t.db)
    const [ownerRow] = await t.db
      .selectFrom('memberships')
      .select('user_id')
      .where('tenant_id', '=', tenant.id)
      .where('role', '=', 'owner')
      .execute()
    const tok = await token()
    const path = `/api/v1/users/${ownerRow.user_id}/memberships/${tenant.id}`
    const demote = await call(tok, { method: 'PUT', path, template, body: { role: 'member' } })
    expect(demote.status).toBe(409)
    expect(demote.body.code).toBe('last_owner')
    const remove = await call(tok, { method: 'DELETE', path, template })
    expect(remove.status).toBe(409)
    expect(await membershipRole(ownerRow.user_id, tenant.id)).toBe('owner')
    expect(await byToken('api.refused', tok)).toHaveLength(2)
  })

  it('422 for a role it does not know, 404 for an unknown user or tenant', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)
    const tok = await token()
    const bad = await call(tok, {
      method: 'PUT',
      path: `/api/v1/users/${user.id}/memberships/${tenant.id}`,
      template,
      body: { role: 'king' },
    })
    expect(bad.status).toBe(422)
    expect(bad.body.errors[0]).toEqual({ field: 'role', message: 'Choose owner, admin or member.' })
    expect(await membershipRole(user.id, tenant.id)).toBeUndefined()
    for (const path of [
      `/api/v1/users/${crypto.randomUUID()}/memberships/${tenant.id}`,
      `/api/v1/users/${user.id}/memberships/${crypto.randomUUID()}`,
    ]) {
      const missing = await call(tok, { method: 'PUT', path, template, body: { role: 'member' } })
      expect(missing.status).toBe(404)
    }
  })
})

describe('the matrix’s API-token entries of users, super admins, stats and flags', () => {
  const mine = /^\w+ \/api\/v1\/(users|super-admins|stats|flags|tenants\/:id\/flags)/
  const entries = Object.entries(AUTHORIZATION_MATRIX).flatMap(([route, access]) =>
    typeof access === 'object' && 'apiToken' in access && mine.test(route)
      ? [{ route, permission: access.apiToken! }]
      : [],
  )

  it('covers every operation of these paths in the document', () => {
    const documented = Object.entries(document.paths)
      .filter(([path]) => /^\/(users|super-admins|stats|flags|tenants\/\{id\}\/flags)/.test(path))
      .flatMap(([path, item]) =>
        Object.keys(item).map(
          (m) => `${m.toUpperCase()} /api/v1${path.replace(/\{(\w+)\}/g, ':$1')}`,
        ),
      )
    expect(entries.map((e) => e.route).sort()).toEqual(documented.sort())
  })

  it.each(entries)(
    '$route: 403 without $permission, past the permission check with it',
    async ({ route, permission }) => {
      const tenant = await createTenant(t.db)
      const user = await createUser(t.db)
      await addMembership(t.db, user, tenant, 'member')
      const flag = await createFlag(t.db)
      const target = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
      const [method, pattern] = route.split(' ')
      const path = pattern
        .replace(':tenantId', tenant.id)
        .replace(':key', flag.key)
        .replace(
          ':id',
          pattern.startsWith('/api/v1/users')
            ? user.id
            : pattern.startsWith('/api/v1/super-admins')
              ? target.admin.id
              : tenant.id,
        )
      const send = async (permissions: Permission[]) => {
        const tok = await createTestApiToken(t.db, owner.admin.id, permissions, { stepUp: true })
        const hasBody = method === 'POST' || method === 'PATCH' || method === 'PUT'
        return t.app.request(path, {
          method,
          headers: bearer(tok, hasBody),
          body: hasBody ? '{}' : undefined,
        })
      }
      const without = await send(PERMISSIONS.filter((p) => p !== permission))
      expect(without.status).toBe(403)
      expect(((await without.json()) as { code: string }).code).toBe('forbidden')
      const withIt = await send([permission])
      expect([401, 403, 404, 500]).not.toContain(withIt.status)
    },
  )
})
