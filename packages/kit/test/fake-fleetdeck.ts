import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { Hono, type Context } from 'hono'
import { exportJWK, generateKeyPair, jwtVerify, createLocalJWKSet, type JWK } from 'jose'
import { HANDOFF_TYP } from '../src/handoff.js'
import type { Impersonation, KitMember, KitTenant, TenantStatus } from '../src/types.js'
import {
  kitFor,
  loggingFetch,
  type FleetdeckUnderTest,
  type TestTenant,
  type TestUser,
} from './fleetdeck-under-test.js'
import { signHandoff } from './in-process-fleetdeck.js'

// A Fleetdeck that speaks PROTOCOL.md from memory, for the kit API endpoints not yet on main.
// It follows the document word for word (paths, bodies, problems and their codes, ETag/304,
// single-use jti); where the document is silent it does the simplest thing.

const FLEETDECK_URL = 'http://fleetdeck.test'
const APP_URL = 'http://127.0.0.1:3001'

type ImpRow = {
  id: string
  tenant: TestTenant
  user: TestUser
  operator: { id: string; email: string }
  mode: Impersonation['mode']
  startedAt: number
  expiresAt: number
  endedAt: number | null
  endReason: Impersonation['endReason']
  jti: string | null
  usedAt: number | null
}

class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code)
  }
}

export async function fakeFleetdeck(): Promise<FleetdeckUnderTest> {
  let nowMs = Date.parse('2026-12-01T09:00:00Z')
  const clock = { now: () => nowMs, advance: (ms: number) => void (nowMs += ms) }
  const appKey = `fdk_${'a'.repeat(32)}.${randomBytes(16).toString('hex')}`
  let signing = await generateKeyPair('EdDSA', { extractable: true })
  let kid = 'fake-key-1'
  const jwks: JWK[] = [{ ...(await exportJWK(signing.publicKey)), kid, alg: 'EdDSA', use: 'sig' }]
  const tenants = new Map<string, KitTenant>()
  const users = new Map<string, TestUser & { status: KitMember['status'] }>()
  const memberships = new Map<string, KitMember['role']>() // `${tenantId}:${userId}`
  const imps = new Map<string, ImpRow>()
  const audit = new Map<string, { action: string; actor: string | null; details: any }[]>()
  const signIns: { userId: string; outcome: string; detail: string | null }[] = []
  const iso = (ms: number) => new Date(ms).toISOString()

  const tenantOf = (slug: string) => {
    const tenant = tenants.get(slug)
    if (!tenant) throw new Problem(404, 'tenant_not_found')
    return tenant
  }
  const memberView = (tenant: KitTenant, userId: string): KitMember | undefined => {
    const user = users.get(userId)
    const role = memberships.get(`${tenant.id}:${userId}`)
    if (!user || !role) return undefined
    return { userId, email: user.email, name: user.name, status: user.status, role }
  }
  const view = (imp: ImpRow): Impersonation => {
    const lapsed = imp.expiresAt <= nowMs
    const status = imp.endedAt ? 'ended' : lapsed ? 'expired' : 'active'
    return {
      id: imp.id,
      status,
      mode: imp.mode,
      tenant: imp.tenant,
      user: { id: imp.user.id, email: imp.user.email, name: imp.user.name },
      operator: imp.operator,
      reason: 'Customer asked for help with their board',
      ticket: 'SUP-1234',
      startedAt: iso(imp.startedAt),
      expiresAt: iso(imp.expiresAt),
      endedAt: imp.endedAt === null ? null : iso(imp.endedAt),
      endReason: imp.endReason ?? (lapsed ? 'expired' : null),
      secondsLeft: status === 'active' ? Math.floor((imp.expiresAt - nowMs) / 1000) : 0,
    }
  }
  const withEtag = (c: Context, body: unknown) => {
    const text = JSON.stringify(body)
    const etag = `"${createHash('sha256').update(text).digest('base64url')}"`
    const headers = { ETag: etag, 'Cache-Control': 'private, no-cache' }
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers)
    return c.body(text, 200, { ...headers, 'Content-Type': 'application/json' })
  }
  const appendAudit = (
    slug: string,
    entry: { action: string; actor: string | null; details: any },
  ) => audit.set(slug, [...(audit.get(slug) ?? []), entry])

  const app = new Hono()
  app.get('/.well-known/jwks.json', (c) => c.json({ keys: jwks }))
  const api = new Hono()
  api.use('*', async (c, next) => {
    if (c.req.header('authorization') !== `Bearer ${appKey}`) throw new Problem(401, 'unauthorized')
    await next()
  })
  api.get('/tenants/:slug', (c) => withEtag(c, { tenant: tenantOf(c.req.param('slug')) }))
  api.get('/tenants/:slug/members', (c) => {
    const tenant = tenantOf(c.req.param('slug'))
    const email = c.req.query('email')
    const all = [...users.keys()]
      .map((id) => memberView(tenant, id))
      .filter((m): m is KitMember => !!m)
      .sort((a, b) => a.email.localeCompare(b.email))
    if (email === undefined) return c.json({ members: all, total: all.length })
    const member = all.find((m) => m.email.toLowerCase() === email.toLowerCase())
    if (!member) throw new Problem(404, 'not_a_member')
    return withEtag(c, { member })
  })
  api.get('/tenants/:slug/members/:userId', (c) => {
    const member = memberView(tenantOf(c.req.param('slug')), c.req.param('userId'))
    if (!member) throw new Problem(404, 'not_a_member')
    return withEtag(c, { member })
  })
  api.post('/tenants/:slug/members', async (c) => {
    const tenant = tenantOf(c.req.param('slug'))
    const body = await c.req.json()
    if (tenant.status !== 'active') throw new Problem(403, 'tenant_unavailable')
    const actor = [...users.values()].find((u) => u.email === body.actorEmail)
    const actorRole = actor && memberships.get(`${tenant.id}:${actor.id}`)
    if (!actor || actor.status !== 'active' || !['owner', 'admin'].includes(actorRole ?? '')) {
      throw new Problem(403, 'not_allowed')
    }
    const current = [...memberships.keys()].filter((k) => k.startsWith(`${tenant.id}:`)).length
    const limit = tenant.quotas.members
    let user = [...users.values()].find((u) => u.email === body.email)
    if (user && memberships.has(`${tenant.id}:${user.id}`)) throw new Problem(409, 'already_member')
    if (limit !== null && current + 1 > limit) {
      throw new Problem(422, 'quota_exceeded', { quota: 'members', limit, current })
    }
    if (!user) {
      user = { id: randomUUID(), email: body.email, name: body.name, status: 'active' }
      users.set(user.id, user)
    }
    memberships.set(`${tenant.id}:${user.id}`, body.role)
    return c.json({ member: memberView(tenant, user.id) }, 201)
  })
  api.post('/sign-ins', async (c) => {
    const body = await c.req.json()
    const user = [...users.values()].find((u) => u.email === body.email)
    if (user) signIns.push({ userId: user.id, outcome: body.outcome, detail: body.detail ?? null })
    return c.json({ recorded: !!user }, 202)
  })
  api.post('/join-requests', async (c) => {
    const body = await c.req.json()
    const tenant = tenantOf(body.tenant)
    if (tenant.status !== 'active') throw new Problem(403, 'tenant_unavailable')
    return c.json({ outcome: 'pending', joinRequestId: randomUUID() }, 201)
  })
  api.post('/tenants/:slug/audit-entries', async (c) => {
    const tenant = tenantOf(c.req.param('slug'))
    const body = await c.req.json()
    if (body.impersonationId) {
      const imp = imps.get(body.impersonationId)
      if (!imp || imp.tenant.id !== tenant.id) throw new Problem(404, 'impersonation_not_found')
      if (view(imp).status !== 'active') throw new Problem(409, 'impersonation_inactive')
      const details = {
        ...body.details,
        impersonatedUser: imp.user.email,
        impersonationId: imp.id,
        mode: imp.mode,
        via: 'fleetdeck-support',
      }
      appendAudit(tenant.slug, { action: body.action, actor: imp.operator.email, details })
    } else {
      if (!body.actorEmail) throw new Problem(422, 'invalid_input')
      appendAudit(tenant.slug, {
        action: body.action,
        actor: body.actorEmail,
        details: body.details ?? {},
      })
    }
    return c.json({ entry: { id: audit.get(tenant.slug)!.length } }, 201)
  })
  api.post('/impersonations/redeem', async (c) => {
    const { token } = await c.req.json()
    let payload: Record<string, any>
    try {
      ;({ payload } = await jwtVerify(token, createLocalJWKSet({ keys: jwks }), {
        algorithms: ['EdDSA'],
        typ: HANDOFF_TYP,
        issuer: FLEETDECK_URL,
        currentDate: new Date(nowMs),
      }))
    } catch {
      throw new Problem(400, 'invalid_token')
    }
    if (payload.aud !== APP_URL) throw new Problem(403, 'wrong_audience')
    const imp = imps.get(payload.imp)
    if (!imp) throw new Problem(404, 'impersonation_not_found')
    if (view(imp).status !== 'active') throw new Problem(410, 'impersonation_ended')
    if (imp.jti !== payload.jti || imp.usedAt !== null) {
      appendAudit(imp.tenant.slug, {
        action: 'support.impersonation_handoff_replayed',
        actor: imp.operator.email,
        details: { jti: payload.jti },
      })
      throw new Problem(409, 'handoff_used')
    }
    imp.usedAt = nowMs
    appendAudit(imp.tenant.slug, {
      action: 'support.impersonation_handoff',
      actor: imp.operator.email,
      details: {},
    })
    return c.json({ impersonation: view(imp) })
  })
  api.get('/impersonations/:id', (c) => {
    const imp = imps.get(c.req.param('id'))
    if (!imp) throw new Problem(404, 'impersonation_not_found')
    return c.json({ impersonation: view(imp) })
  })
  api.post('/impersonations/:id/end', (c) => {
    const imp = imps.get(c.req.param('id'))
    if (!imp) throw new Problem(404, 'impersonation_not_found')
    if (view(imp).status === 'active') {
      imp.endedAt = nowMs
      imp.endReason = 'ended_in_app'
      appendAudit(imp.tenant.slug, {
        action: 'support.impersonation_ended',
        actor: imp.operator.email,
        details: {},
      })
    }
    return c.json({ impersonation: view(imp) })
  })
  api.all('*', () => {
    throw new Problem(404, 'not_found')
  })
  app.route('/kit/v1', api)
  app.onError((error, c) => {
    if (!(error instanceof Problem)) throw error
    const body = { type: 'about:blank', title: error.code, status: error.status, code: error.code }
    return c.body(
      JSON.stringify({ ...body, ...error.extra, requestId: 'fake' }),
      error.status as 400,
      {
        'Content-Type': 'application/problem+json',
      },
    )
  })

  const calls: string[] = []
  const fetch = loggingFetch(
    ((input: RequestInfo | URL, init?: RequestInit) =>
      app.request(
        input instanceof Request ? input : String(input),
        init,
      )) as typeof globalThis.fetch,
    calls,
  )
  const base = {
    kind: 'fake' as const,
    fleetdeckUrl: FLEETDECK_URL,
    appKey,
    appUrl: APP_URL,
    calls,
    clock,
    fetch,
  }
  let sequence = 0
  const fd: FleetdeckUnderTest = {
    ...base,
    kit: (overrides) => kitFor(base, overrides),
    async createTenant() {
      sequence += 1
      const tenant: KitTenant = {
        id: randomUUID(),
        slug: `t${sequence}`,
        name: `Tenant ${sequence}`,
        status: 'active',
        plan: { id: 'free', name: 'Free' },
        quotas: { members: 5, storage: 1073741824, custom_domains: 0 },
        planChangedAt: null,
        suspendedAt: null,
      }
      tenants.set(tenant.slug, tenant)
      return { id: tenant.id, slug: tenant.slug, name: tenant.name }
    },
    async setTenantStatus(tenant, status: TenantStatus) {
      const row = tenants.get(tenant.slug)!
      tenants.set(tenant.slug, {
        ...row,
        status,
        suspendedAt: status === 'suspended' ? iso(nowMs) : null,
      })
    },
    async createMember(tenant, role = 'member') {
      sequence += 1
      const user = {
        id: randomUUID(),
        email: `user-${sequence}@example.com`,
        name: `User ${sequence}`,
      }
      users.set(user.id, { ...user, status: 'active' })
      memberships.set(`${tenant.id}:${user.id}`, role)
      return user
    },
    async setUserStatus(user, status) {
      users.get(user.id)!.status = status
    },
    async startImpersonation(tenant, user, { mode = 'read_only', minutes = 30 } = {}) {
      sequence += 1
      const operator = { id: randomUUID(), email: `ops-${sequence}@fleetdeck.test` }
      const id = randomUUID()
      imps.set(id, {
        id,
        tenant,
        user,
        operator,
        mode,
        startedAt: nowMs,
        expiresAt: nowMs + minutes * 60_000,
        endedAt: null,
        endReason: null,
        jti: null,
        usedAt: null,
      })
      return { id, operatorEmail: operator.email }
    },
    async endImpersonation(id) {
      const imp = imps.get(id)!
      imp.endedAt = nowMs
      imp.endReason = 'ended'
    },
    async handoffToken(id, overrides = {}) {
      const imp = imps.get(id)!
      const jti = randomBytes(16).toString('base64url')
      imp.jti = jti
      const iat = Math.floor(nowMs / 1000)
      const key = overrides.unknownKey
        ? (await generateKeyPair('EdDSA')).privateKey
        : signing.privateKey
      return signHandoff(
        {
          iss: FLEETDECK_URL,
          aud: APP_URL,
          sub: imp.user.id,
          tenant_id: imp.tenant.id,
          tenant_slug: imp.tenant.slug,
          act: { sub: imp.operator.id, email: imp.operator.email },
          imp: id,
          mode: imp.mode,
          iat,
          exp: iat + 60,
          jti,
          ...overrides.claims,
        },
        {
          alg: 'EdDSA',
          kid: overrides.unknownKey ? 'not-published' : kid,
          typ: HANDOFF_TYP,
          ...overrides.header,
        },
        key,
      )
    },
    async rotateSigningKey() {
      signing = await generateKeyPair('EdDSA', { extractable: true })
      kid = `fake-key-${jwks.length + 1}`
      jwks.unshift({ ...(await exportJWK(signing.publicKey)), kid, alg: 'EdDSA', use: 'sig' })
    },
    async signIns(user) {
      return signIns
        .filter((s) => s.userId === user.id)
        .map(({ outcome, detail }) => ({ outcome, detail }))
    },
    async tenantAudit(tenant) {
      return audit.get(tenant.slug) ?? []
    },
    close: async () => {},
  }
  return fd
}
