import { describe, expect, it } from 'vitest'
import { DEFAULT_CACHE_MS } from '@fleetdeck/kit'
import { findTenantBySlug } from '../../../src/db/tenants.js'
import { countRows } from '../../../src/test-support/database-state.js'
import { uniqueSuffix } from '../../../src/test-support/factories.js'
import { alertText, fieldError, headings, linkHrefs } from '../../../src/test-support/html.js'
import { send } from '../../../src/test-support/requests.js'
import { cookiesOf, PASSWORD, useExampleApp } from '../test/harness.js'

// Settings changes reach the example app (issue 10 items 6 and 7): an owner turns public signup
// off or changes the default plan in Fleetdeck's console, and within the kit's hold (≤ 5 s) the
// app's /signup is gone, or the next workspace signed up lands on the new plan.

const h = useExampleApp()

/** What the owner submits at Fleetdeck's /settings/signup (the checkbox sends nothing when off). */
async function fleetdeckSettings(open: boolean, defaultPlanId = '') {
  const { cookie } = await h.t.signedInOwner()
  const fields: Record<string, string> = open
    ? { publicSignup: 'on', defaultPlanId }
    : { defaultPlanId }
  const res = await send(h.t.app, 'POST', '/settings/signup', { fields, cookie })
  expect(res.status).toBe(303)
  // Past the kit's hold: what the app shows now is what Fleetdeck says now.
  h.t.clock.advance(DEFAULT_CACHE_MS)
}

function signupFields(o: Record<string, string> = {}) {
  const suffix = uniqueSuffix()
  return {
    workspace: `Studio ${suffix}`,
    slug: `studio-${suffix}`,
    name: 'Grace Hopper',
    email: `grace-${suffix}@example.com`,
    password: PASSWORD,
    ...o,
  }
}

describe('signing up in the example app', () => {
  it('offers signup on the landing page while Fleetdeck has it open', async () => {
    await fleetdeckSettings(true)

    const landing = await (await h.get('/')).text()
    const page = await h.get('/signup')

    expect(linkHrefs(landing, 'Create a workspace')).toEqual(['/signup'])
    expect(page.status).toBe(200)
    expect(headings(await page.text())).toContain('Create a workspace')
  })

  it('once an owner switches public signup off in Fleetdeck, /signup is a 404 and nothing links to it', async () => {
    await fleetdeckSettings(true)
    expect((await h.get('/signup')).status).toBe(200)

    await fleetdeckSettings(false)
    const page = await h.get('/signup')
    const landing = await (await h.get('/')).text()
    const tenants = await countRows(h.t.db, 'tenants')
    const post = await h.post('/signup', signupFields())

    expect(page.status).toBe(404)
    expect(headings(await page.text())).toContain('Signup is closed')
    expect(landing).not.toContain('/signup')
    expect(post.status).toBe(404)
    expect(await countRows(h.t.db, 'tenants')).toBe(tenants)
  })

  it('creates the workspace on the default plan and signs its owner in; the password works afterwards', async () => {
    await fleetdeckSettings(true, 'professional')
    const fields = signupFields()

    const res = await h.post('/signup', fields)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/t/${fields.slug}/`)
    const tenant = await findTenantBySlug(h.t.db, fields.slug)
    expect(tenant).toMatchObject({
      status: 'active',
      planId: 'professional',
      name: fields.workspace,
    })
    const board = await h.get(`/t/${fields.slug}/`, cookiesOf(res))
    expect(board.status).toBe(200)
    expect(await board.text()).toContain('your workspace is on the Professional plan')
    expect((await h.signIn(fields.slug, fields.email)).status).toBe(303)
  })

  it('changing the default plan in Fleetdeck makes the next signup land on it', async () => {
    await fleetdeckSettings(true, 'professional')
    const first = signupFields()
    expect((await h.post('/signup', first)).status).toBe(303)

    await fleetdeckSettings(true, 'enterprise')
    const second = signupFields()
    expect((await h.post('/signup', second)).status).toBe(303)

    expect((await findTenantBySlug(h.t.db, first.slug))?.planId).toBe('professional')
    expect((await findTenantBySlug(h.t.db, second.slug))?.planId).toBe('enterprise')
  })

  it('shows a taken address and bad fields next to them, creating nothing', async () => {
    await fleetdeckSettings(true)
    const { tenant } = await h.workspace()
    const tenants = await countRows(h.t.db, 'tenants')

    const taken = await h.post('/signup', signupFields({ slug: tenant.slug }))
    const bad = await h.post('/signup', signupFields({ email: 'nope', password: 'short' }))

    expect(taken.status).toBe(422)
    expect(fieldError(await taken.text(), 'slug')).toMatch(/taken/)
    expect(bad.status).toBe(422)
    const html = await bad.text()
    expect(fieldError(html, 'email')).toBe('Enter an email address.')
    expect(fieldError(html, 'password')).toBe('Use at least 12 characters.')
    expect(alertText(html)).toBeUndefined()
    expect(await countRows(h.t.db, 'tenants')).toBe(tenants)
  })
})
