import { beforeAll, describe, expect, it } from 'vitest'
import type { Permission } from '../../auth/permissions.js'
import { apiTokenId, bearer, createTestApiToken } from '../../test-support/api-tokens.js'
import { auditEntries } from '../../test-support/database-state.js'
import {
  createFlag,
  createSuperAdmin,
  createTenant,
  type TestAdmin,
} from '../../test-support/factories.js'
import { expectConforms, type OpenApiDocument } from '../../test-support/openapi-conformance.js'
import { useTestApp } from '../../test-support/test-app.js'

// /api/v1/flags and /api/v1/tenants/{id}/flags/{key} (issue 14 item 1): the flags as the /flags
// page lists them, and a tenant's override set and cleared through the console's audited verb.

const t = useTestApp()
let document: OpenApiDocument
let owner: TestAdmin

beforeAll(async () => {
  document = (await (await t.app.request('/api/v1/openapi.json')).json()) as OpenApiDocument
  owner = await createSuperAdmin(t.db, t.config, { role: 'owner' })
})

const token = (permissions: Permission[] = ['saas.tenants.view', 'saas.flags.edit']) =>
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

const overrideOf = async (flagId: string, tenantId: string) =>
  (
    await t.db
      .selectFrom('feature_flag_overrides')
      .select('value')
      .where('flag_id', '=', flagId)
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst()
  )?.value

const byToken = async (action: string, tok: string) =>
  (await auditEntries(t.db, action)).filter((e) => e.api_token_id === apiTokenId(tok))

describe('GET /api/v1/flags and /api/v1/flags/{key}', () => {
  it('lists active flags by default, archived ones on asking, with override counts', async () => {
    const tenant = await createTenant(t.db)
    const live = await createFlag(t.db, { overrides: { [tenant.id]: true } })
    const old = await createFlag(t.db, { archived: true })
    const tok = await token(['saas.tenants.view'])
    const active = await call(tok, { method: 'GET', path: '/api/v1/flags', template: '/flags' })
    expect(active.status).toBe(200)
    const keys = active.body.data.map((f: { key: string }) => f.key)
    expect(keys).toContain(live.key)
    expect(keys).not.toContain(old.key)
    expect(active.body.data.find((f: { key: string }) => f.key === live.key)).toMatchObject({
      type: 'boolean',
      defaultValue: false,
      overrideCount: 1,
      archived: false,
    })
    const archived = await call(tok, {
      method: 'GET',
      path: '/api/v1/flags?state=archived',
      template: '/flags',
    })
    expect(archived.body.data.map((f: { key: string }) => f.key)).toEqual([old.key])
    const one = await call(tok, {
      method: 'GET',
      path: `/api/v1/flags/${live.key}`,
      template: '/flags/{key}',
    })
    expect(one.body).toMatchObject({ key: live.key, overrideCount: 1 })
    const missing = await call(tok, {
      method: 'GET',
      path: '/api/v1/flags/no-such-flag',
      template: '/flags/{key}',
    })
    expect(missing.status).toBe(404)
    const bad = await call(tok, {
      method: 'GET',
      path: '/api/v1/flags?state=x',
      template: '/flags',
    })
    expect(bad.status).toBe(422)
  })

  it('401 without a token, 403 without saas.tenants.view', async () => {
    expect(
      (await call(undefined, { method: 'GET', path: '/api/v1/flags', template: '/flags' })).status,
    ).toBe(401)
    const refused = await call(await token(['saas.users.view']), {
      method: 'GET',
      path: '/api/v1/flags',
      template: '/flags',
    })
    expect([refused.status, refused.body.code]).toEqual([403, 'forbidden'])
  })
})

describe('PUT and DELETE /api/v1/tenants/{id}/flags/{key}', () => {
  const template = '/tenants/{id}/flags/{key}'

  it('sets and clears a boolean override, audited with the token; repeating changes nothing', async () => {
    const tenant = await createTenant(t.db)
    const flag = await createFlag(t.db)
    const tok = await token()
    const path = `/api/v1/tenants/${tenant.id}/flags/${flag.key}`
    const set = await call(tok, { method: 'PUT', path, template, body: { value: true } })
    expect(set.status).toBe(200)
    expect(set.body).toEqual({
      key: flag.key,
      tenantId: tenant.id,
      override: true,
      value: true,
      why: 'override',
    })
    expect(await overrideOf(flag.id, tenant.id)).toBe(true)
    const [entry] = await byToken('flag.override.set', tok)
    expect(entry).toMatchObject({ target_id: flag.key, tenant_id: tenant.id })
    const again = await call(tok, { method: 'PUT', path, template, body: { value: true } })
    expect(again.status).toBe(200)
    expect(await byToken('flag.override.set', tok)).toHaveLength(1)

    const cleared = await call(tok, { method: 'DELETE', path, template })
    expect(cleared.status).toBe(200)
    expect(cleared.body).toMatchObject({ override: null, value: false, why: 'default' })
    expect(await overrideOf(flag.id, tenant.id)).toBeUndefined()
    expect(await byToken('flag.override.remove', tok)).toHaveLength(1)
  })

  it('a string flag takes only its variants: 422 with the field, nothing written', async () => {
    const tenant = await createTenant(t.db)
    const flag = await createFlag(t.db, {
      type: 'string',
      variants: ['blue', 'green'],
      defaultValue: 'blue',
    })
    const tok = await token()
    const path = `/api/v1/tenants/${tenant.id}/flags/${flag.key}`
    for (const value of ['red', true]) {
      const bad = await call(tok, { method: 'PUT', path, template, body: { value } })
      expect(bad.status).toBe(422)
      expect(bad.body.errors[0].field).toBe('value')
    }
    const missing = await call(tok, { method: 'PUT', path, template, body: {} })
    expect(missing.status).toBe(422)
    const malformed = await call(tok, { method: 'PUT', path, template, raw: '{"value":' })
    expect(malformed.status).toBe(400)
    expect(await overrideOf(flag.id, tenant.id)).toBeUndefined()
    const good = await call(tok, { method: 'PUT', path, template, body: { value: 'green' } })
    expect(good.body).toMatchObject({ override: 'green', value: 'green' })
  })

  it('404 unknown tenant or flag, 409 archived flag or deleted tenant, 403 view-only token', async () => {
    const tenant = await createTenant(t.db)
    const flag = await createFlag(t.db)
    const archived = await createFlag(t.db, { archived: true })
    const tok = await token()
    const put = (path: string, tk = tok) =>
      call(tk, { method: 'PUT', path, template, body: { value: true } })
    expect((await put(`/api/v1/tenants/${crypto.randomUUID()}/flags/${flag.key}`)).status).toBe(404)
    expect((await put(`/api/v1/tenants/${tenant.id}/flags/no-such-flag`)).status).toBe(404)
    const old = await put(`/api/v1/tenants/${tenant.id}/flags/${archived.key}`)
    expect([old.status, old.body.code]).toEqual([409, 'flag_archived'])
    const viewer = await put(
      `/api/v1/tenants/${tenant.id}/flags/${flag.key}`,
      await token(['saas.tenants.view']),
    )
    expect([viewer.status, viewer.body.code]).toEqual([403, 'forbidden'])
    await t.db
      .updateTable('tenants')
      .set({ status: 'deleted' })
      .where('id', '=', tenant.id)
      .execute()
    const gone = await put(`/api/v1/tenants/${tenant.id}/flags/${flag.key}`)
    expect([gone.status, gone.body.code]).toEqual([409, 'tenant_deleted'])
    expect(await overrideOf(flag.id, tenant.id)).toBeUndefined()
  })
})
