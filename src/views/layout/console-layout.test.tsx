import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { SuperAdmin } from '../../db/super-admins.js'
import type { AppEnv } from '../../web/env.js'
import { consoleRenderer } from '../../web/render.js'
import { activeSection } from './console-layout.js'

const operator = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'Olive Owner',
  email: 'olive@example.com',
  role: 'viewer',
} as SuperAdmin

/** A console page rendered through the real renderer, with whatever the request context holds. */
async function render(path: string, vars: Partial<AppEnv['Variables']> = {}) {
  const app = new Hono<AppEnv>()
  app.use(async (c, next) => {
    c.set('operator', operator)
    for (const [key, value] of Object.entries(vars)) c.set(key as 'flash', value as never)
    await next()
  })
  app.use(consoleRenderer)
  app.get('*', (c) => c.render(<p id="content">Page</p>, { title: 'A page' }))
  return (await app.request(path)).text()
}

describe('the console layout', () => {
  it('reads the operator, the flash and the active section from the request', async () => {
    const html = await render('/tenants/42', { flash: { kind: 'success', text: 'Saved.' } })

    expect(html).toMatch(/^<!DOCTYPE html>/)
    expect(html).toContain('<title>A page · Fleetdeck</title>')
    expect(html).toContain('olive@example.com')
    expect(html).toContain('<div role="status"')
    expect(html).toContain('Saved.')
    expect(html).toMatch(/<a href="\/tenants" aria-current="page"/)
    expect(html).toContain('<p id="content">Page</p>')
  })

  it('shows the scope bar and the impersonation banner only when the request has them', async () => {
    const bare = await render('/tenants')
    const filled = await render('/tenants', {
      scopeBar: <div id="scope-bar">All customers</div>,
      impersonationBanner: <div id="impersonation-banner">Acting as ada@acme.test</div>,
    })

    expect(bare).not.toContain('scope-bar')
    expect(bare).not.toContain('impersonation-banner')
    expect(filled).toContain('<div id="scope-bar">All customers</div>')
    expect(filled).toContain('<div id="impersonation-banner">Acting as ada@acme.test</div>')
  })
})

describe('activeSection', () => {
  it('is the section of the path’s first segment, or none', () => {
    expect(activeSection('/super-admins/outbox')).toBe('/super-admins')
    expect(activeSection('/settings/security')).toBe('/settings/security')
    expect(activeSection('/settings/app-keys')).toBe('/settings/app-keys')
    expect(activeSection('/settings/app-keys/abc/revocation')).toBe('/settings/app-keys')
    expect(activeSection('/audit')).toBe('/audit')
    expect(activeSection('/account')).toBeUndefined()
  })
})
