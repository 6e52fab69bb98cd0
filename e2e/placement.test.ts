// Tenant placement in a real Chromium against the real server (issue 13 item 5). Off Citus (the
// CI databases) the owner opens a tenant and its placement page, which explains there is one
// server and offers no move; a move posted anyway is refused with its reason as a flash.
// axe-core checks every page visited. On a Citus coordinator (TEST_CITUS_WORKERS, the manual run
// of issue 13) the owner instead moves a tenant to the other worker and watches the job. The move itself on a real cluster is covered by
// src/routes/tenants/placement.citus.test.tsx and src/fleet/placement.citus.test.ts.
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../src/db/database.js'
import type { Tenant } from '../src/db/tenants.js'
import { distributeTenantSchema, listCitusNodes, measureCitusSchemas } from '../src/fleet/citus.js'
import { tenantSchemaName } from '../src/db/tenant-schema.js'
import { createTenant } from '../src/test-support/factories.js'
import { refreshTenantStorage } from '../src/tenancy/storage.js'
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

const onCitus = !!process.env.TEST_CITUS_WORKERS

describe.skipIf(onCitus)(`tenant placement in Chromium (${backend})`, () => {
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

/** Waits on the run page until the run has ended (its progress fragment stops polling). */
async function waitForRunToEnd(p: Page): Promise<string> {
  await waitForPath(p, /^\/jobs\/[0-9a-f-]{36}$/)
  const badge = p.locator('[id^="job-progress-"] .badge').first()
  const deadline = Date.now() + 120_000
  let status = await badge.innerText()
  while (!['completed', 'failed', 'canceled'].includes(status) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500))
    status = await badge.innerText()
  }
  return status
}

describe.skipIf(!onCitus)('moving a tenant in Chromium (Citus)', () => {
  const story = useBrowserStory({ owner })
  let from = ''
  let to = ''
  beforeAll(async () => {
    ;({ server, handle, page } = story)
    tenant = await createTenant(handle.db, { slug: `moved-${suffix}` })
    const schema = tenantSchemaName(tenant.slug)
    await distributeTenantSchema(handle.db, schema)
    await refreshTenantStorage(handle.db, tenant.id, tenant.slug)
    from = (await measureCitusSchemas(handle.db, [schema])).get(schema)!.node
    to = (await listCitusNodes(handle.db)).find((n) => n.node !== from)!.node
  })

  it('sees the node on the tenant page, moves the tenant, and follows the job', async () => {
    await page.goto(`${server.baseUrl}/tenants/${tenant.id}`)
    await waitForText(page.locator('#placement'), `Node: ${from}`)
    await story.checkAccessibility('tenant page (Citus)')
    await page.getByRole('link', { name: 'Move to another node' }).click()
    await waitForPath(page, `/tenants/${tenant.id}/placement`)
    await story.checkAccessibility('placement (Citus)')
    await page.getByLabel('Target node').selectOption(to)
    await page.getByRole('button', { name: 'Move tenant' }).click()
    expect(await waitForRunToEnd(page)).toBe('completed')
    await story.checkAccessibility('job run (tenant move)')
    await page.goto(`${server.baseUrl}/tenants/${tenant.id}`)
    await waitForText(page.locator('#placement'), `Node: ${to}`)
    story.expectAccessibleAndQuiet(3)
  })
})
