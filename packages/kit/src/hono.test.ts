import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { useFleetdeck, type FleetdeckUnderTest } from '../test/fleetdeck-under-test.js'
import { inProcessFleetdeck } from '../test/in-process-fleetdeck.js'
import { fleetdeck, IMPERSONATION_COOKIE, type FleetdeckVariables } from './hono.js'

// The Hono middleware in a tiny tenant app against the real Fleetdeck in-process: handoff,
// read-only enforcement, the re-check, and the refusal pages.
const fd = useFleetdeck(inProcessFleetdeck)

function tinyApp(fd: FleetdeckUnderTest, options: { secureCookies?: boolean } = {}) {
  const kit = fd.kit()
  const guard = fleetdeck(kit, {
    tenantSlug: (c) => c.req.param('slug'),
    cookieSecret: 'a test secret of at least thirty-two bytes',
    onSignedOut: (c) => c.redirect('/sign-in', 303),
    ...options,
  })
  const app = new Hono<{ Variables: FleetdeckVariables }>()
  app.route('/_fleetdeck', guard.routes)
  app.use(
    '/t/:slug/*',
    guard.tenant,
    guard.requireMember((c) => {
      const email = c.req.header('x-user')
      return email ? { email } : undefined
    }),
  )
  app.get('/t/:slug/', (c) => {
    const { member, banner } = c.var.fleetdeck
    return c.text(`board of ${member?.email}${banner ? ` | ${banner.text}` : ''}`)
  })
  app.on(['POST', 'PUT', 'DELETE', 'PATCH'], '/t/:slug/board', (c) => c.text('changed'))
  return { app, kit }
}

/** The `name=value` of the impersonation cookie a response sets (empty when it clears it). */
function impCookie(res: Response): string | undefined {
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${IMPERSONATION_COOKIE}=`))
  return set?.split(';')[0]
}

async function handedOff(fd: FleetdeckUnderTest, mode: 'read_only' | 'read_write' = 'read_only') {
  const tenant = await fd.createTenant()
  const user = await fd.createMember(tenant)
  const imp = await fd.startImpersonation(tenant, user, { mode })
  const { app, kit } = tinyApp(fd)
  const res = await app.request(`/_fleetdeck/handoff?token=${await fd.handoffToken(imp.id)}`)
  const cookie = impCookie(res)!
  const get = (path: string, method = 'GET') => app.request(path, { method, headers: { cookie } })
  return { tenant, user, imp, app, kit, res, cookie, get }
}

describe('support sessions', () => {
  describe('the handoff route', () => {
    it('redeems the token, sets the signed impersonation cookie and lands on the tenant home', async () => {
      const { tenant, res } = await handedOff(fd)

      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe(`/t/${tenant.slug}/`)
      expect(res.headers.get('referrer-policy')).toBe('no-referrer')
      expect(res.headers.get('cache-control')).toBe('no-store')
      const setCookie = res.headers.getSetCookie().join('\n')
      expect(setCookie).toMatch(/fleetdeck_imp=.+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax/)
      expect(setCookie).not.toMatch(/Secure/)
    })

    it('shows the tenant as the impersonated user, under the banner', async () => {
      const { tenant, user, imp, get } = await handedOff(fd)

      const res = await get(`/t/${tenant.slug}/`)

      expect(res.status).toBe(200)
      expect(await res.text()).toBe(
        `board of ${user.email} | Support: ${imp.operatorEmail} viewing ${tenant.name} as ${user.email} — read-only — 30 min left`,
      )
    })

    it('marks the cookie Secure when asked (default: the app URL is https)', async () => {
      const tenant = await fd.createTenant()
      const imp = await fd.startImpersonation(tenant, await fd.createMember(tenant))
      const { app } = tinyApp(fd, { secureCookies: true })

      const res = await app.request(`/_fleetdeck/handoff?token=${await fd.handoffToken(imp.id)}`)

      expect(res.headers.getSetCookie().join('\n')).toMatch(/fleetdeck_imp=.+; Secure/)
    })

    it('refuses a bad, replayed or ended handoff with a page and sets no cookie', async () => {
      const tenant = await fd.createTenant()
      const imp = await fd.startImpersonation(tenant, await fd.createMember(tenant))
      const { app } = tinyApp(fd)
      // Each handoff replaces the previous jti, as the console's "Open app" does: sign `token` last.
      const wrongAudience = await fd.handoffToken(imp.id, {
        claims: { aud: 'https://other.example' },
      })
      const token = await fd.handoffToken(imp.id)
      const first = await app.request(`/_fleetdeck/handoff?token=${token}`)
      expect(first.status).toBe(303)

      const cases = [
        ['', 403, 'has no token'],
        ['not-a-token', 403, 'not valid'],
        [wrongAudience, 403, 'issued for another app'],
        [token, 409, 'already been used'],
      ] as const
      for (const [presented, status, text] of cases) {
        const res = await app.request(`/_fleetdeck/handoff?token=${presented}`)
        expect(res.status).toBe(status)
        expect(res.headers.get('referrer-policy')).toBe('no-referrer')
        expect(impCookie(res)).toBeUndefined()
        const html = await res.text()
        expect(html).toMatch(/<h1>.+<\/h1>/)
        expect(html).toContain(text)
      }

      await fd.endImpersonation(imp.id)
      const ended = await app.request(`/_fleetdeck/handoff?token=${await fd.handoffToken(imp.id)}`)
      expect(ended.status).toBe(410)
      expect(await ended.text()).toContain('Support access has ended')
    })
  })

  describe('a read-only support session', () => {
    it('refuses POST, PUT, DELETE and PATCH with 403, and lets GET through', async () => {
      const { tenant, get } = await handedOff(fd, 'read_only')

      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const res = await get(`/t/${tenant.slug}/board`, method)
        expect(res.status).toBe(403)
        expect(await res.text()).toContain('Support is viewing this workspace read-only')
      }
      expect((await get(`/t/${tenant.slug}/`)).status).toBe(200)
    })

    it('a read-write session may write', async () => {
      const { tenant, get } = await handedOff(fd, 'read_write')

      const res = await get(`/t/${tenant.slug}/board`, 'POST')

      expect(res.status).toBe(200)
      expect(await res.text()).toBe('changed')
    })
  })

  describe('the end of a support session', () => {
    it('is refused within 5 s of ending in the console: 410, and the cookie cleared', async () => {
      const { tenant, imp, get } = await handedOff(fd)
      expect((await get(`/t/${tenant.slug}/`)).status).toBe(200)

      await fd.endImpersonation(imp.id)
      fd.clock.advance(5000)
      const res = await get(`/t/${tenant.slug}/`)

      expect(res.status).toBe(410)
      expect(await res.text()).toContain('Support access has ended')
      expect(impCookie(res)).toBe(`${IMPERSONATION_COOKIE}=`)
    })

    it('End in the app ends it at Fleetdeck, clears the cookie and says so', async () => {
      const { tenant, imp, app, kit, cookie, get } = await handedOff(fd)

      const res = await app.request('/_fleetdeck/impersonation/end', {
        method: 'POST',
        headers: { cookie },
      })

      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe('/_fleetdeck/impersonation/ended')
      expect(impCookie(res)).toBe(`${IMPERSONATION_COOKIE}=`)
      expect(await kit.currentImpersonation(imp.id)).toBeUndefined()
      expect((await fd.tenantAudit(tenant)).map((e) => e.action)).toContain(
        'support.impersonation_ended',
      )
      const page = await app.request('/_fleetdeck/impersonation/ended')
      expect(await page.text()).toContain('Support access has ended')
      // The old cookie no longer opens the tenant: Fleetdeck says the session is over.
      expect((await get(`/t/${tenant.slug}/`)).status).toBe(410)
    })

    it('honours the cookie only on its own tenant', async () => {
      const { cookie, app } = await handedOff(fd)
      const other = await fd.createTenant()

      const res = await app.request(`/t/${other.slug}/`, { headers: { cookie } })

      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe('/sign-in')
    })

    it('ignores and clears a cookie whose signature does not match', async () => {
      const { tenant, imp, app } = await handedOff(fd)
      const signature = `${'A'.repeat(43)}=`
      const forged = `${IMPERSONATION_COOKIE}=${encodeURIComponent(`${imp.id}:${tenant.slug}.${signature}`)}`

      const res = await app.request(`/t/${tenant.slug}/`, { headers: { cookie: forged } })

      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe('/sign-in')
      expect(impCookie(res)).toBe(`${IMPERSONATION_COOKIE}=`)
    })
  })

  describe('a suspended workspace under read-only support', () => {
    it('lets read-only support view a suspended workspace, and nobody else', async () => {
      const { tenant, get } = await handedOff(fd, 'read_only')
      await fd.setTenantStatus(tenant, 'suspended')
      fd.clock.advance(5000)

      expect((await get(`/t/${tenant.slug}/`)).status).toBe(200)
      expect((await get(`/t/${tenant.slug}/board`, 'POST')).status).toBe(403)
    })
  })
})

describe('the tenant and member guards', () => {
  it('refuses a suspended workspace with 403 and an unknown one with 404', async () => {
    const tenant = await fd.createTenant()
    const user = await fd.createMember(tenant)
    await fd.setTenantStatus(tenant, 'suspended')
    const { app } = tinyApp(fd)
    const headers = { 'x-user': user.email }

    const suspended = await app.request(`/t/${tenant.slug}/`, { headers })
    const unknown = await app.request('/t/no-such-tenant/', { headers })

    expect(suspended.status).toBe(403)
    expect(await suspended.text()).toContain('<h1>This workspace is suspended</h1>')
    expect(unknown.status).toBe(404)
    expect(await unknown.text()).toContain('<h1>Workspace not found</h1>')
  })

  it('lets a member in, refuses a disabled user and a non-member, and sends the signed-out to sign in', async () => {
    const tenant = await fd.createTenant()
    const member = await fd.createMember(tenant)
    const disabled = await fd.createMember(tenant)
    await fd.setUserStatus(disabled, 'disabled')
    const outsider = await fd.createMember(await fd.createTenant())
    const { app } = tinyApp(fd)
    const as = (email?: string) =>
      app.request(`/t/${tenant.slug}/`, { headers: email ? { 'x-user': email } : {} })

    expect(await (await as(member.email)).text()).toBe(`board of ${member.email}`)
    const refusedDisabled = await as(disabled.email)
    expect(refusedDisabled.status).toBe(403)
    expect(await refusedDisabled.text()).toContain('Your account is disabled')
    const refusedOutsider = await as(outsider.email)
    expect(refusedOutsider.status).toBe(403)
    expect(await refusedOutsider.text()).toContain('not a member of this workspace')
    expect((await as()).headers.get('location')).toBe('/sign-in')
  })

  it('renders refusals through the app’s renderRefusal', async () => {
    const tenant = await fd.createTenant()
    await fd.setTenantStatus(tenant, 'suspended')
    const guard = fleetdeck(fd.kit(), {
      tenantSlug: (c) => c.req.param('slug'),
      cookieSecret: 'a test secret of at least thirty-two bytes',
      renderRefusal: (c, refusal) => c.json(refusal, refusal.status),
    })
    const app = new Hono().get('/t/:slug/', guard.tenant, (c) => c.text('in'))

    const res = await app.request(`/t/${tenant.slug}/`)

    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ kind: 'tenant_suspended', status: 403 })
  })
})
