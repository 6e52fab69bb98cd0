// Tenant placement in a real Chromium against the real server (issue 13 item 5). Off Citus (the
// CI databases) the owner opens a tenant and its placement page, which explains there is one
// server and offers no move; a move posted anyway is refused with its reason as a flash.
// axe-core checks every page visited. The move itself on a real cluster is covered by
// src/routes/tenants/placement.citus.test.tsx and src/fleet/placement.citus.test.ts.
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../src/db/database.js'
import type { Tenant } from '../src/db/tenants.js'
import { createTenant } from '../src/test-support/factories.js'
import { useBrowserStory, waitForPath, waitForText, type RunningServer } from './helpers.js'

const backend = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'
const suffix = randomBytes(3).toString('hex')
const owner = {
  email: `owner-${suffix}@example.test`,
  name: 'Olive Owner',
  password: `correct horse ${suffix} battery`,
}

let server: RunningServer
let handle: DatabaseHandle
let page: Page
let tenant: Tenant

describe(`tenant placement in Chromium (${backend})`, () => {
  const story = useBrowserStory({ owner })
  beforeAll(async () => {
    ;({ server, handle, page } = story)
    tenant = await createTenant(handle.db, { slug: `placed-${suffix}` })
  })

  it('the tenant page has no Placement section off Citus', async () => {
    await page.goto(`${server.baseUrl}/tenants/${tenant.id}`)
    await waitForText(page.locator('h1'), tenant.name)
    expect(await page.locator('#placement').count()).toBe(0)
    await story.checkAccessibility('tenant page (no Citus)')
  })

  it('the placement page explains the single server and offers no move', async () => {
    await page.goto(`${server.baseUrl}/tenants/${tenant.id}/placement`)
    await waitForText(page.locator('#tenant-placement'), 'Single server (no Citus)')
    expect(await page.locator('select[name="node"]').count()).toBe(0)
    await story.checkAccessibility('placement (no Citus)')
  })

  it('a move posted anyway is refused with its reason as a flash', async () => {
    // The owner just enrolled TOTP, so no step-up is asked within these ten minutes.
    await page.evaluate((action) => {
      const form = document.createElement('form')
      form.method = 'post'
      form.action = action
      const input = Object.assign(document.createElement('input'), { name: 'node' })
      input.value = '10.0.0.2:5432'
      form.append(input)
      document.body.append(form)
      form.submit()
    }, `/tenants/${tenant.id}/placement`)
    await waitForPath(page, `/tenants/${tenant.id}/placement`)
    await waitForText(page.locator('body'), 'Fleetdeck is not running on Citus')
    await story.checkAccessibility('placement (refused)')
    story.expectAccessibleAndQuiet(3)
  })
})
