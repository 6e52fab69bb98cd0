import { beforeAll, describe, expect, it } from 'vitest'
import { AUTHORIZATION_MATRIX } from '../../auth/authorization-matrix.js'
import { PERMISSIONS, type Permission } from '../../auth/permissions.js'
import { countSchemaTables } from '../../db/tenant-schema.js'
import { tenantSchemaName } from '../../db/tenants.js'
import { apiTokenId, bearer, createTestApiToken } from '../../test-support/api-tokens.js'
import { auditEntries } from '../../test-support/database-state.js'
import {
  createSuperAdmin,
  createTenant,
  newTenantFields,
  type TestAdmin,
} from '../../test-support/factories.js'
import { expectConforms, type OpenApiDocument } from '../../test-support/openapi-conformance.js'
import { useTestApp } from '../../test-support/test-app.js'
import { APPROVAL_KINDS, setApprovalPolicy } from '../../approvals/policy.js'
import { decideApproval } from '../../approvals/requests.js'

// /api/v1/tenants (issue 14 item 1): each route's happy path and refusals, every answer checked
// against /api/v1/openapi.json, and the audit entries of writes naming the API token.

const t = useTestApp()
let document: OpenApiDocument
let owner: TestAdmin

const ALL_TENANT_PERMISSIONS: Permission[] = [
  'saas.tenants.view',
  'saas.tenants.create',
  'saas.tenants.edit',
  'saas.tenants.suspend',
  'saas.tenants.delete',
  'saas.plans.edit',
]

beforeAll(async () => {
  document = (await (await t.app.request('/api/v1/openapi.json')).json()) as OpenApiDocument
  owner = await createSuperAdmin(t.db, t.config, { role: 'owner' })
})

const token = (permissions: Permission[] = ALL_TENANT_PERMISSIONS, stepUp = false) =>
  createTestApiToken(t.db, owner.admin.id, permissions, { stepUp, now: new Date(t.clock.now()) })

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

const tenantRow = (id: string) =>
  t.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

describe('GET /api/v1/tenants', () => {
  it('lists with the console filters and pages with a cursor until null', async () => {
    const prefix = `zlist${Date.now().toString(36)}`
    const made = []
    for (let i = 0; i < 5; i += 1) made.push(await createTenant(t.db, { slug: `${prefix}-${i}` }))
    const tok = await token(['saas.tenants.view'])
    const seen: string[] = []
    let path = `/api/v1/tenants?q=${prefix}&limit=2&sort=name&dir=asc`
    for (let pages = 0; pages < 5; pages += 1) {
      const { status, body } = await call(tok, { method: 'GET', path, template: '/tenants' })
      expect(status).toBe(200)
      expect(body.total).toBe(5)
      seen.push(...body.data.map((d: { slug: string }) => d.slug))
      if (!body.nextCursor) break
      path = `/api/v1/tenants?q=${prefix}&sort=name&dir=asc&cursor=${body.nextCursor}`
    }
    expect(seen).toEqual(made.map((m) => m.slug))
    const first = await call(tok, {
      method: 'GET',
      path: `/api/v1/tenants?q=${prefix}-3`,
      template: '/tenants',
    })
    expect(first.body.data).toHaveLength(1)
    expect(first.body.data[0]).toMatchObject({ slug: `${prefix}-3`, planName: 'Free', members: 1 })
  })

  it('filters by status like the console’s tabs', async () => {
    const tenant = await createTenant(t.db)
    await t.db
      .updateTable('tenants')
      .set({ status: 'suspended' })
      .where('id', '=', tenant.id)
      .execute()
    const tok = await token(['saas.tenants.view'])
    const suspended = await call(tok, {
      method: 'GET',
      path: `/api/v1/tenants?status=suspended&q=${tenant.slug}`,
      template: '/tenants',
    })
    expect(suspended.body.data.map((d: { id: string }) => d.id)).toEqual([tenant.id])
    const active = await call(tok, {
      method: 'GET',
      path: `/api/v1/tenants?status=active&q=${tenant.slug}`,
      template: '/tenants',
    })
    expect(active.body).toMatchObject({ data: [], total: 0, nextCursor: null })
  })

  it('answers 422 with the field for a bad filter, status or cursor', async () => {
    const tok = await token(['saas.tenants.view'])
    for (const [query, field, message] of [
      ['from=2026-02-30', 'from', 'is not a date'],
      ['status=sleeping', 'status', ''],
      ['limit=0', 'limit', ''],
      ['cursor=not-a-cursor', 'cursor', 'not one this list gave'],
      ['flag=no-such-flag&flag_state=on', 'flag', 'No flag has the key'],
    ]) {
      const { status, body } = await call(tok, {
        method: 'GET',
        path: `/api/v1/tenants?${query}`,
        template: '/tenants',
      })
      expect(status, query).toBe(422)
      expect(body.code).toBe('invalid')
      expect(body.errors.find((e: { field: string }) => e.field === field)?.message).toContain(
        message,
      )
    }
  })

  it('records the read in the audit log with the token id', async () => {
    const tok = await token(['saas.tenants.view'])
    await call(tok, { method: 'GET', path: '/api/v1/tenants?status=failed', template: '/tenants' })
    const reads = (await auditEntries(t.db, 'api.read')).filter(
      (e) => e.api_token_id === apiTokenId(tok),
    )
    expect(reads).toHaveLength(1)
    expect(reads[0].actor_id).toBe(owner.admin.id)
  })
})

describe('authentication and permission', () => {
  it('401 without a token, with a revoked one, an expired one, or a deactivated owner’s', async () => {
    const now = new Date(t.clock.now())
    const other = await createSuperAdmin(t.db, t.config, { role: 'owner' })
    const revoked = await createTestApiToken(t.db, owner.admin.id, ['saas.tenants.view'], {
      revokedAt: now,
      now,
    })
    const expired = await createTestApiToken(t.db, owner.admin.id, ['saas.tenants.view'], {
      expiresAt: new Date(now.getTime() - 1000),
      now: new Date(now.getTime() - 86_400_000),
    })
    const orphaned = await createTestApiToken(t.db, other.admin.id, ['saas.tenants.view'], { now })
    await t.db
      .updateTable('super_admins')
      .set({ is_active: false })
      .where('id', '=', other.admin.id)
      .execute()
    for (const [tok, detail] of [
      [undefined, 'A valid API token is required'],
      ['fdt_nope', 'A valid API token is required'],
      [revoked, 'revoked'],
      [expired, 'expired'],
      [orphaned, 'deactivated'],
    ] as const) {
      const { status, body, res } = await call(tok, {
        method: 'GET',
        path: '/api/v1/tenants',
        template: '/tenants',
      })
      expect(status).toBe(401)
      expect(body.detail).toContain(detail)
      expect(res.headers.get('www-authenticate')).toContain('Bearer')
    }
  })

  it('refuses a session cookie: the API reads only the bearer token', async () => {
    const { cookie } = await t.signedInOwner()
    const res = await t.app.request('/api/v1/tenants', { headers: { cookie } })
    expect(res.status).toBe(401)
  })

  it('403 when the owner’s role no longer grants what the token carries', async () => {
    const support = await createSuperAdmin(t.db, t.config, { role: 'support' })
    const tok = await createTestApiToken(t.db, support.admin.id, ['saas.tenants.create'])
    const { status, body } = await call(tok, {
      method: 'POST',
      path: '/api/v1/tenants',
      template: '/tenants',
      body: newTenantFields(),
    })
    expect(status).toBe(403)
    expect(body.code).toBe('forbidden')
  })
})

describe('POST /api/v1/tenants', () => {
  it('creates through onboarding: 201, active, the schema made, audited with the token', async () => {
    const tok = await token(['saas.tenants.create'])
    const fields = newTenantFields()
    const { status, body, res } = await call(tok, {
      method: 'POST',
      path: '/api/v1/tenants',
      template: '/tenants',
      body: fields,
    })
    expect(status).toBe(201)
    expect(body.tenant).toMatchObject({ slug: fields.slug, status: 'active', planId: 'free' })
    expect(body.onboarding.ok).toBe(true)
    expect(body.onboarding.steps.every((s: { status: string }) => s.status === 'done')).toBe(true)
    expect(res.headers.get('location')).toBe(`/api/v1/tenants/${body.tenant.id}`)
    expect(await countSchemaTables(t.db, tenantSchemaName(fields.slug))).toBeGreaterThan(0)
    const entry = (await auditEntries(t.db, 'tenant.create')).find(
      (e) => e.target_id === body.tenant.id,
    )
    expect(entry?.api_token_id).toBe(apiTokenId(tok))
    expect(entry?.actor_id).toBe(owner.admin.id)
  })

  it('422 with the console’s messages and nothing written: bad slug, taken slug, unknown plan', async () => {
    const tok = await token(['saas.tenants.create'])
    const taken = await createTenant(t.db)
    for (const [fields, field, message] of [
      [newTenantFields({ slug: 'X!' }), 'slug', 'Use 2–39 lowercase letters'],
      [newTenantFields({ billingEmail: 'nope' }), 'billingEmail', 'Enter a valid email address.'],
      [newTenantFields({ slug: taken.slug }), 'slug', 'This slug is taken'],
      [newTenantFields({ planId: 'no-such-plan' }), 'planId', 'Choose one of the plans.'],
    ] as const) {
      const before = await t.db.selectFrom('tenants').select('id').execute()
      const { status, body } = await call(tok, {
        method: 'POST',
        path: '/api/v1/tenants',
        template: '/tenants',
        body: fields,
      })
      expect(status).toBe(422)
      expect(body.errors).toContainEqual({ field, message: expect.stringContaining(message) })
      expect(await t.db.selectFrom('tenants').select('id').execute()).toHaveLength(before.length)
    }
  })

  it('400 problem for malformed JSON, never 500', async () => {
    const tok = await token(['saas.tenants.create'])
    const { status, body } = await call(tok, {
      method: 'POST',
      path: '/api/v1/tenants',
      template: '/tenants',
      raw: '{"slug": "acme",',
    })
    expect(status).toBe(400)
    expect(body.status).toBe(400)
  })

  it('415 problem for a form body: the API takes JSON only', async () => {
    const tok = await token(['saas.tenants.create'])
    const fields = newTenantFields()
    const res = await t.app.request('/api/v1/tenants', {
      method: 'POST',
      headers: { ...bearer(tok), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    })
    expect(res.status).toBe(415)
    await expectConforms(document, 'POST', '/tenants', res)
    expect(await t.db.selectFrom('tenants').where('slug', '=', fields.slug).execute()).toHaveLength(
      0,
    )
  })

  it('429 problem past the per-token rate limit, with Retry-After', async () => {
    const limit = t.config.apiRateLimitPerMinute
    t.config.apiRateLimitPerMinute = 2
    try {
      const tok = await token(['saas.tenants.view'])
      const statuses = []
      for (let i = 0; i < 3; i += 1) {
        const { status, res } = await call(tok, {
          method: 'GET',
          path: '/api/v1/tenants?limit=1',
          template: '/tenants',
        })
        statuses.push(status)
        if (status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      }
      expect(statuses).toEqual([200, 200, 429])
    } finally {
      t.config.apiRateLimitPerMinute = limit
    }
  })

  it('403 without saas.tenants.create, even with every other permission', async () => {
    const tok = await token(ALL_TENANT_PERMISSIONS.filter((p) => p !== 'saas.tenants.create'))
    const fields = newTenantFields()
    const { status } = await call(tok, {
      method: 'POST',
      path: '/api/v1/tenants',
      template: '/tenants',
      body: fields,
    })
    expect(status).toBe(403)
    const rows = await t.db.selectFrom('tenants').where('slug', '=', fields.slug).execute()
    expect(rows).toHaveLength(0)
  })
})

describe('GET and PATCH /api/v1/tenants/{id}', () => {
  it('gets a tenant, 404 for an unknown or malformed id', async () => {
    const tenant = await createTenant(t.db)
    const tok = await token(['saas.tenants.view'])
    const got = await call(tok, {
      method: 'GET',
      path: `/api/v1/tenants/${tenant.id}`,
      template: '/tenants/{id}',
    })
    expect(got.status).toBe(200)
    expect(got.body).toMatchObject({ id: tenant.id, slug: tenant.slug, protected: false })
    expect(got.body.createdAt).toBe(tenant.createdAt.toISOString())
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      const missing = await call(tok, {
        method: 'GET',
        path: `/api/v1/tenants/${id}`,
        template: '/tenants/{id}',
      })
      expect(missing.status).toBe(404)
      expect(missing.body.code).toBe('not_found')
    }
  })

  it('patches name and billing email, keeps the rest, audits with the token', async () => {
    const tenant = await createTenant(t.db)
    const tok = await token(['saas.tenants.edit'])
    const { status, body } = await call(tok, {
      method: 'PATCH',
      path: `/api/v1/tenants/${tenant.id}`,
      template: '/tenants/{id}',
      body: { name: 'Renamed by API', billingEmail: 'ap@renamed.example' },
    })
    expect(status).toBe(200)
    expect(body).toMatchObject({ name: 'Renamed by API', planId: tenant.planId })
    expect(await tenantRow(tenant.id)).toMatchObject({
      name: 'Renamed by API',
      billing_email: 'ap@renamed.example',
    })
    const entry = (await auditEntries(t.db, 'tenant.edit')).find((e) => e.target_id === tenant.id)
    expect(entry?.api_token_id).toBe(apiTokenId(tok))
  })

  it('422 on a bad field or an unknown one, 400 on malformed JSON; nothing changes', async () => {
    const tenant = await createTenant(t.db)
    const tok = await token(['saas.tenants.edit'])
    for (const [body, field, message] of [
      [{ name: '   ' }, 'name', 'Enter a name.'],
      [{ billingEmail: 'x' }, 'billingEmail', 'Enter a valid email address.'],
      [{ planId: 'no-such-plan' }, 'planId', 'Choose one of the plans.'],
      [{ slug: 'renamed' }, '', ''],
    ] as const) {
      const res = await call(tok, {
        method: 'PATCH',
        path: `/api/v1/tenants/${tenant.id}`,
        template: '/tenants/{id}',
        body,
      })
      expect(res.status).toBe(422)
      if (field) expect(res.body.errors).toContainEqual({ field, message })
    }
    const malformed = await call(tok, {
      method: 'PATCH',
      path: `/api/v1/tenants/${tenant.id}`,
      template: '/tenants/{id}',
      raw: 'name=x',
    })
    expect(malformed.status).toBe(400)
    expect(await tenantRow(tenant.id)).toMatchObject({ name: tenant.name, slug: tenant.slug })
  })
})

describe('DELETE /api/v1/tenants/{id}', () => {
  const del = (tok: string, id: string, confirm?: string) =>
    call(tok, {
      method: 'DELETE',
      path: `/api/v1/tenants/${id}${confirm === undefined ? '' : `?confirm=${confirm}`}`,
      template: '/tenants/{id}',
    })

  it('needs a step-up token: 403 step_up_required otherwise, nothing deleted', async () => {
    const tenant = await createTenant(t.db)
    const { status, body } = await del(await token(['saas.tenants.delete']), tenant.id, tenant.slug)
    expect(status).toBe(403)
    expect(body.code).toBe('step_up_required')
    expect((await tenantRow(tenant.id)).status).toBe('active')
  })

  it('needs the slug as confirm: 422 on the field otherwise', async () => {
    const tenant = await createTenant(t.db)
    const tok = await token(['saas.tenants.delete'], true)
    for (const confirm of [undefined, 'wrong']) {
      const { status, body } = await del(tok, tenant.id, confirm)
      expect(status).toBe(422)
      expect(body.errors).toEqual([
        { field: 'confirm', message: `Type ${tenant.slug} exactly to delete this tenant.` },
      ])
    }
    expect((await tenantRow(tenant.id)).status).toBe('active')
  })

  it('refuses a protected tenant with the console’s message', async () => {
    const tenant = await createTenant(t.db)
    await t.db.updateTable('tenants').set({ protected: true }).where('id', '=', tenant.id).execute()
    const { status, body } = await del(
      await token(['saas.tenants.delete'], true),
      tenant.id,
      tenant.slug,
    )
    expect(status).toBe(422)
    expect(body.detail).toContain('is protected')
    expect((await tenantRow(tenant.id)).status).toBe('active')
  })

  it('deletes with a grace period, audited with the token; a second delete is 409', async () => {
    const tenant = await createTenant(t.db)
    const tok = await token(['saas.tenants.delete'], true)
    const { status, body } = await del(tok, tenant.id, tenant.slug)
    expect(status).toBe(200)
    expect(body.status).toBe('deleted')
    expect(body.purgeAfter).not.toBeNull()
    expect((await tenantRow(tenant.id)).status).toBe('deleted')
    const entry = (await auditEntries(t.db, 'tenant.delete')).find((e) => e.target_id === tenant.id)
    expect(entry?.api_token_id).toBe(apiTokenId(tok))
    expect((await del(tok, tenant.id, tenant.slug)).status).toBe(409)
  })
})

describe('DELETE /api/v1/tenants/{id} under dual control', () => {
  const setPolicy = (on: boolean) =>
    setApprovalPolicy(
      t.db,
      { actor: { id: owner.admin.id, email: owner.admin.email } },
      Object.fromEntries(APPROVAL_KINDS.map((k) => [k, on && k === 'tenant.delete'])) as never,
      owner.admin.id,
      new Date(t.clock.now()),
    )

  it('records a request (reason required) instead of deleting; a second owner’s approval deletes it as the token’s owner', async () => {
    await setPolicy(true)
    try {
      const tenant = await createTenant(t.db)
      const tok = await token(['saas.tenants.delete'], true)
      const path = (q: string) => `/api/v1/tenants/${tenant.id}?confirm=${tenant.slug}${q}`
      const template = '/tenants/{id}'
      const noReason = await call(tok, { method: 'DELETE', path: path(''), template })
      expect(noReason.status).toBe(422)
      expect(noReason.body.errors[0].field).toBe('reason')
      expect(
        await t.db
          .selectFrom('approval_requests')
          .selectAll()
          .where('target_id', '=', tenant.id)
          .execute(),
      ).toEqual([])

      const asked = await call(tok, {
        method: 'DELETE',
        path: path('&reason=Contract%20ended'),
        template,
      })
      expect(asked.status).toBe(202)
      expect(asked.body).toMatchObject({
        kind: 'tenant.delete',
        status: 'pending',
        reason: 'Contract ended',
      })
      expect((await tenantRow(tenant.id)).status).toBe('active')
      const again = await call(tok, { method: 'DELETE', path: path('&reason=Again'), template })
      expect(again.status).toBe(409)
      expect(again.body.code).toBe('already_pending')
      const requestEntry = (await auditEntries(t.db, 'approval.request')).at(-1)!
      expect(requestEntry.api_token_id).toBe(apiTokenId(tok))

      const second = await createSuperAdmin(t.db, t.config, { role: 'owner' })
      const decided = await decideApproval(
        { database: t.database, config: t.config },
        {},
        { id: asked.body.id, approver: second.admin, decision: 'approve', note: 'ok' },
        new Date(t.clock.now()),
      )
      expect(decided.ok).toBe(true)
      expect((await tenantRow(tenant.id)).status).toBe('deleted')
      const entry = (await auditEntries(t.db, 'tenant.delete')).find(
        (e) => e.target_id === tenant.id,
      )!
      expect(entry.actor_id).toBe(owner.admin.id)
      expect(entry.approved_by_email).toBe(second.admin.email)
    } finally {
      await setPolicy(false)
    }
  })
})

describe('suspension and plan', () => {
  it('suspends and activates, 409 when the status does not allow it, audited with the token', async () => {
    const tenant = await createTenant(t.db)
    const tok = await token(['saas.tenants.suspend'])
    const path = `/api/v1/tenants/${tenant.id}/suspension`
    const template = '/tenants/{id}/suspension'
    const suspended = await call(tok, { method: 'POST', path, template })
    expect(suspended.status).toBe(200)
    expect(suspended.body.status).toBe('suspended')
    expect(suspended.body.suspendedAt).not.toBeNull()
    const again = await call(tok, { method: 'POST', path, template })
    expect(again.status).toBe(409)
    expect(again.body.detail).toBe(`${tenant.slug} cannot be suspended from status suspended.`)
    const activated = await call(tok, { method: 'DELETE', path, template })
    expect(activated.body.status).toBe('active')
    expect((await tenantRow(tenant.id)).status).toBe('active')
    for (const action of ['tenant.suspend', 'tenant.activate']) {
      const entry = (await auditEntries(t.db, action)).find((e) => e.target_id === tenant.id)
      expect(entry?.api_token_id, action).toBe(apiTokenId(tok))
    }
    const unknown = await call(tok, {
      method: 'POST',
      path: '/api/v1/tenants/00000000-0000-4000-8000-000000000000/suspension',
      template,
    })
    expect(unknown.status).toBe(404)
  })

  it('moves a tenant to a plan; unknown plan 422; same plan 200 with no entry', async () => {
    const tenant = await createTenant(t.db)
    const plans = await t.db.selectFrom('plans').select(['id', 'archived_at']).execute()
    const target = plans.find((p) => p.id !== tenant.planId && p.archived_at === null)!
    const tok = await token(['saas.plans.edit'])
    const path = `/api/v1/tenants/${tenant.id}/plan`
    const template = '/tenants/{id}/plan'
    const moved = await call(tok, { method: 'PUT', path, template, body: { planId: target.id } })
    expect(moved.status).toBe(200)
    expect(moved.body.planId).toBe(target.id)
    expect((await tenantRow(tenant.id)).plan_id).toBe(target.id)
    const entries = () =>
      auditEntries(t.db, 'tenant.plan_change').then((es) =>
        es.filter((e) => e.target_id === tenant.id),
      )
    expect((await entries()).map((e) => e.api_token_id)).toEqual([apiTokenId(tok)])
    const same = await call(tok, { method: 'PUT', path, template, body: { planId: target.id } })
    expect(same.status).toBe(200)
    expect(await entries()).toHaveLength(1)
    const unknown = await call(tok, { method: 'PUT', path, template, body: { planId: 'nope' } })
    expect(unknown.status).toBe(422)
    expect(unknown.body.errors[0].field).toBe('planId')
    const empty = await call(tok, { method: 'PUT', path, template, body: {} })
    expect(empty.status).toBe(422)
    expect((await tenantRow(tenant.id)).plan_id).toBe(target.id)
    const gone = await createTenant(t.db)
    await t.db.updateTable('tenants').set({ status: 'deleted' }).where('id', '=', gone.id).execute()
    const deleted = await call(tok, {
      method: 'PUT',
      path: `/api/v1/tenants/${gone.id}/plan`,
      template,
      body: { planId: target.id },
    })
    expect(deleted.status).toBe(409)
    expect(deleted.body.detail).toBe(`${gone.slug} is deleted: its plan cannot change.`)
  })
})

describe('the matrix’s API-token entries for /api/v1/tenants', () => {
  const entries = Object.entries(AUTHORIZATION_MATRIX).flatMap(([route, access]) =>
    typeof access === 'object' && 'apiToken' in access && route.includes(' /api/v1/tenants')
      ? [{ route, permission: access.apiToken! }]
      : [],
  )

  it('covers every tenants operation of the document', () => {
    const documented = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/tenants'))
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
      const [method, pattern] = route.split(' ')
      const path = pattern.replace(':id', tenant.id)
      const send = async (permissions: Permission[]) => {
        const tok = await createTestApiToken(t.db, owner.admin.id, permissions, { stepUp: true })
        const hasBody = method === 'POST' || method === 'PATCH' || method === 'PUT'
        return t.app.request(path, {
          method,
          headers: bearer(tok, hasBody),
          body: hasBody ? '{}' : undefined,
        })
      }
      const others = PERMISSIONS.filter((p) => p !== permission)
      const without = await send(others)
      expect(without.status).toBe(403)
      expect(((await without.json()) as { code: string }).code).toBe('forbidden')
      const withIt = await send([permission])
      expect([401, 403]).not.toContain(withIt.status)
    },
  )
})
