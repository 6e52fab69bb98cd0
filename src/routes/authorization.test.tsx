import { beforeAll, describe, expect, it } from 'vitest'
import { AUTHORIZATION_MATRIX } from '../auth/authorization-matrix.js'
import { createSession } from '../auth/session.js'
import { OPERATOR_ROLES, type OperatorRole } from '../db/schema.js'
import { createEnrolmentToken } from '../auth/enrolment.js'
import {
  createSuperAdmin,
  addMembership,
  createTenant,
  createUser,
  newTenantFields,
  uniqueSuffix,
  type TestAdmin,
} from '../test-support/factories.js'
import { getPage, send, sendForm, SESSION_COOKIE } from '../test-support/requests.js'
import { createTestAppWith, useTestApp } from '../test-support/test-app.js'

// The authorization matrix walked in full: every route × every role against the expected
// outcome written in src/auth/authorization-matrix.ts, and every route of the app present there.

const ENDS_OWN_SESSION = new Set([
  'DELETE /settings/security/sessions',
  'POST /settings/keys/super-admin-secret',
])
const ROLES = OPERATOR_ROLES

const t = useTestApp()
const admins = {} as Record<OperatorRole, TestAdmin>
let target: TestAdmin
let tenantId: string
let userId: string

beforeAll(async () => {
  for (const role of ROLES) admins[role] = await createSuperAdmin(t.db, t.config, { role })
  target = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
  // One tenant for every request: empty forms fail validation, and a suspend that succeeds for
  // one role only turns the next role's answer into a 409, never into a 403.
  tenantId = (await createTenant(t.db)).id
  // A tenant user with a membership there, so allowed roles reach the /users handlers.
  userId = (await createUser(t.db)).id
  await addMembership(t.db, { id: userId }, { id: tenantId })
})

/** A fresh full session straight in the database: no argon2, and TOTP checked "now" (no step-up). */
async function sessionCookie(who: TestAdmin): Promise<string> {
  const { token } = await createSession(
    t.db,
    who.admin.id,
    { twoFactorVerified: true },
    new Date(t.clock.now()),
  )
  return `${SESSION_COOKIE}=${token}`
}

/** The app's routes as `METHOD path`, once each (guards appear as extra entries in app.routes). */
function appRoutes(): string[] {
  return [
    ...new Set(t.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`)),
  ].sort()
}

/**
 * A body a person could send to the route, so an allowed role's request goes past validation into
 * the handler (where a 500 would show). Kept harmless for the cells after it: the shared tenant is
 * not deleted and no allowlist is set. Routes not named here get an empty form.
 */
function plausibleBody(route: string): Record<string, string> {
  const suffix = uniqueSuffix()
  const bodies: Record<string, Record<string, string>> = {
    'POST /tenants': { ...newTenantFields() },
    'POST /tenants/:id': {
      name: `Renamed ${suffix}`,
      planId: 'professional',
      billingEmail: `billing-${suffix}@example.com`,
    },
    'DELETE /tenants/:id': { confirmSlug: 'not-this-tenant' },
    'POST /super-admins': { email: `invitee-${suffix}@example.com`, name: 'Ivy', role: 'viewer' },
    'POST /super-admins/:id': { role: 'support' },
    'POST /account/allowlist': { allowlist: '' },
    'POST /settings/security': { allowlist: '' },
    'POST /step-up': { code: '000000' },
    'POST /users/:id/memberships/:tenantId': { role: 'admin' },
    'POST /users/:id/memberships': { slug: 'no-such-tenant', role: 'member' },
  }
  return bodies[route] ?? {}
}

async function concretePath(template: string, role: OperatorRole): Promise<string> {
  const session = await createSession(
    t.db,
    admins[role].admin.id,
    { twoFactorVerified: true },
    new Date(t.clock.now()),
  )
  return template
    .replace(':token{[a-z2-7]{32}\\.[a-z2-7]{32}}', await createEnrolmentToken(t.db, 'setup', null))
    .replace(':sessionId', session.session.id)
    .replace(template.startsWith('/super-admins') ? ':id' : '\0', target.admin.id)
    .replace(template.startsWith('/users') ? ':id' : '\0', userId)
    .replace(':tenantId', tenantId)
    .replace(':id', tenantId)
}

describe('authorization matrix', () => {
  it('lists every route of the app, and nothing the app does not have', () => {
    expect(appRoutes()).toEqual(Object.keys(AUTHORIZATION_MATRIX).sort())
  })

  const guarded = Object.entries(AUTHORIZATION_MATRIX).filter(
    (entry): entry is [string, 'signed-in' | readonly OperatorRole[]] =>
      entry[1] === 'signed-in' || Array.isArray(entry[1]),
  )
  for (const [route, access] of guarded) {
    const [method, template] = route.split(' ')
    for (const role of ROLES) {
      const allowed = access === 'signed-in' || access.includes(role)
      it(`${role} ${allowed ? 'may' : 'may not'} ${route}`, async () => {
        const path = await concretePath(template, role)
        const cookie = await sessionCookie(admins[role])
        const res =
          method === 'GET'
            ? await getPage(t.app, path, cookie)
            : await sendForm(t.app, method, path, plausibleBody(route), cookie)
        if (allowed) {
          expect(res.status, `${route} as ${role}`).not.toBe(403)
          expect(res.status, `${route} as ${role}`).toBeLessThan(500)
          const location = res.headers.get('location') ?? ''
          expect(location).not.toMatch(/^\/step-up/)
          // Only "sign everyone out" may legitimately end the caller's own session.
          if (!ENDS_OWN_SESSION.has(route)) expect(location).not.toMatch(/^\/login/)
        } else {
          expect(res.status, `${route} as ${role}`).toBe(403)
        }
      })
    }
  }

  // A console session opens nothing there: the kit API reads no cookie, whatever the role.
  const kitRoutes = Object.entries(AUTHORIZATION_MATRIX).filter(([, a]) => a === 'app-key')
  for (const [route] of kitRoutes) {
    it(`${route} refuses an owner's console session without an app key`, async () => {
      const [method, template] = route.split(' ')
      const path = template.replace(':slug', 'acme').replace(':userId', userId)
      const res = await send(t.app, method, path, {
        cookie: await sessionCookie(admins.owner),
        headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
      })
      expect(res.status, route).toBe(401)
      expect((await res.json()).code).toBe('unauthorized')
    })
  }

  // Prometheus' route takes a token or a loopback peer; a console session from elsewhere is no key.
  const metricsRoutes = Object.entries(AUTHORIZATION_MATRIX).filter(
    ([, a]) => a === 'metrics-token',
  )
  for (const [route] of metricsRoutes) {
    it(`${route} refuses an owner's console session from a non-loopback address`, async () => {
      const [method, path] = route.split(' ')
      const res = await send(t.app, method, path, {
        cookie: await sessionCookie(admins.owner),
        ip: '203.0.113.7',
      })
      expect(res.status, route).toBe(403)
    })
    it(`${route} answers a loopback peer without a session when no METRICS_TOKEN is set`, async () => {
      const [method, path] = route.split(' ')
      expect((await send(t.app, method, path, { ip: '127.0.0.1' })).status, route).toBe(200)
    })
  }

  // Stripe's webhook takes only a Stripe-Signature: a console session is no signature.
  const stripeRoutes = Object.entries(AUTHORIZATION_MATRIX).filter(
    ([, a]) => a === 'stripe-signature',
  )
  for (const [route] of stripeRoutes) {
    it(`${route} refuses an owner's console session without a signature`, async () => {
      const [method, path] = route.split(' ')
      const signed = await createTestAppWith(
        { STRIPE_WEBHOOK_SECRET: 'whsec_matrix_test_secret' },
        t,
      )
      const res = await send(signed.app, method, path, {
        cookie: await sessionCookie(admins.owner),
        headers: { 'content-type': 'application/json' },
      })
      expect(res.status, route).toBe(400)
      expect(await t.db.selectFrom('stripe_events').selectAll().execute()).toEqual([])
    })
  }

  it('public routes answer without a session', async () => {
    for (const route of [
      'GET /healthz',
      'GET /readyz',
      'GET /.well-known/jwks.json',
      'GET /login',
    ]) {
      const res = await getPage(t.app, route.split(' ')[1])
      expect(res.status, route).toBe(200)
    }
  })
})

describe('pages hide what a role cannot do', () => {
  it('a viewer sees no create, suspend, edit or delete controls and no owner sections', async () => {
    const tenant = await createTenant(t.db)
    const cookie = await sessionCookie(admins.viewer)
    const list = await (await getPage(t.app, '/tenants', cookie)).text()
    expect(list).not.toContain('New tenant')
    expect(list).not.toContain('>Suspend<')
    expect(list).not.toContain('Security settings')
    expect(list).not.toContain('Super admins')
    const page = await (await getPage(t.app, `/tenants/${tenant.id}`, cookie)).text()
    expect(page).not.toContain('Save changes')
    expect(page).not.toContain('Delete this tenant')
    expect(page).not.toContain('>Suspend<')
  })

  it('an operator may suspend but sees no edit or delete', async () => {
    const tenant = await createTenant(t.db)
    const page = await (
      await getPage(t.app, `/tenants/${tenant.id}`, await sessionCookie(admins.operator))
    ).text()
    expect(page).toContain('Suspend')
    expect(page).not.toContain('Save changes')
    expect(page).not.toContain('Delete this tenant')
  })

  it('an owner sees every section', async () => {
    const list = await (await getPage(t.app, '/tenants', await sessionCookie(admins.owner))).text()
    for (const label of [
      'Tenants',
      'Audit log',
      'Security settings',
      'Super admins',
      'New tenant',
    ]) {
      expect(list).toContain(label)
    }
  })
})
