// Fleet operations in a real Chromium against the real server (issue 11 item 7): the operator
// runs a health check and watches it on /jobs, sees the tenant whose column was dropped, repairs
// it from its schema page, then — a developer having added a tenant migration (the server runs
// with an extra TENANT_MIGRATION_DIRS folder the tenants were built without) — reads the dry-run,
// runs a canary on two tenants and watches the progress bar, and migrates the rest with two
// workers. The server's own job runner does the work. axe-core checks every page visited.
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { sql } from 'kysely'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../src/db/database.js'
import { tenantSchemaName } from '../src/db/tenant-schema.js'
import type { Tenant } from '../src/db/tenants.js'
import { createTenant } from '../src/test-support/factories.js'
import { ROOT, useBrowserStory, waitForPath, waitForText, type RunningServer } from './helpers.js'

const suffix = randomBytes(3).toString('hex')
const owner = {
  email: `owner-${suffix}@example.test`,
  name: 'Olive Owner',
  password: `correct horse ${suffix} battery`,
}
const EXTRA_MIGRATIONS = join(ROOT, 'src', 'fleet', 'test-migrations')
const NEW_MIGRATION = '2026120300_attachment_checksum'

let server: RunningServer
let handle: DatabaseHandle
let page: Page
const tenants: Tenant[] = []

/** Waits on the run page until the run has ended (its progress fragment stops polling). */
async function waitForRunToEnd(p: Page): Promise<string> {
  await waitForPath(p, /^\/jobs\/[0-9a-f-]{36}$/)
  const badge = p.locator('[id^="job-progress-"] .badge').first()
  const deadline = Date.now() + 60_000
  let status = await badge.innerText()
  while (!['completed', 'failed', 'canceled'].includes(status) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500))
    status = await badge.innerText()
  }
  return status
}

async function appliedMigrations(slug: string): Promise<string[]> {
  const rows = await sql<{ name: string }>`
    select name from ${sql.table(`${tenantSchemaName(slug)}.kysely_migration`)} order by name`
    .execute(handle.db)
    .then((r) => r.rows)
  return rows.map((r) => r.name)
}

describe(`fleet operations in Chromium`, () => {
  const story = useBrowserStory({ env: { TENANT_MIGRATION_DIRS: EXTRA_MIGRATIONS }, owner })
  beforeAll(async () => {
    ;({ server, handle, page } = story)
    for (let i = 0; i < 5; i++)
      tenants.push(await createTenant(handle.db, { slug: `fleet${i}-${suffix}` }))
    // The fault to find: a column dropped by hand in the first tenant.
    await sql`alter table ${sql.table(`${tenantSchemaName(tenants[0].slug)}.audit_log`)}
      drop column details`.execute(handle.db)
  })

  it('runs a health check, watches it on its job page, and finds the dropped column', async () => {
    await page.goto(`${server.baseUrl}/fleet`)
    await story.checkAccessibility('fleet (no check yet)')
    await page.getByRole('button', { name: 'Run a check now' }).click()
    expect(await waitForRunToEnd(page)).toBe('completed')
    await story.checkAccessibility('job run (health check)')

    await page.getByRole('link', { name: 'Fleet', exact: true }).click()
    await waitForPath(page, '/fleet')
    const drifted = page.locator('tr', { hasText: tenantSchemaName(tenants[0].slug) })
    await waitForText(drifted, 'column audit_log.details is missing')
    expect(await drifted.innerText()).toMatch(/drift/)
    await story.checkAccessibility('fleet (after a check)')
  })

  it('repairs the drifted tenant from its schema page, and the column is back', async () => {
    const schema = tenantSchemaName(tenants[0].slug)
    await page
      .locator('tr', { hasText: schema })
      .getByRole('link', { name: /Repair/ })
      .click()
    await waitForPath(page, `/fleet/schemas/${schema}`)
    await story.checkAccessibility('schema page (drift)')
    await page.getByRole('button', { name: 'Re-add: column audit_log.details' }).click()

    await waitForText(page.getByRole('status'), 'details')
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from information_schema.columns
      where table_schema = ${schema} and table_name = 'audit_log' and column_name = 'details'`.execute(
      handle.db,
    )
    expect(rows[0].n).toBe(1)
    const audited = await handle.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'like', 'fleet.repair.%')
      .execute()
    expect(audited.map((a) => a.action)).toContain('fleet.repair.column')
    await story.checkAccessibility('schema page (repaired)')
  })

  it('reads the dry-run, runs a canary on two tenants with a progress bar, then the rest', async () => {
    await page.goto(`${server.baseUrl}/fleet/migrations`)
    await waitForText(page.locator('main'), NEW_MIGRATION)
    await story.checkAccessibility('fleet migrations')
    await page.getByRole('button', { name: 'Show dry-run' }).click()
    await waitForPath(page, '/fleet/migrations/dry-run')
    await waitForText(page.locator('main'), 'alter table')
    await story.checkAccessibility('dry-run')
    // The dry-run changed nothing.
    expect(await appliedMigrations(tenants[1].slug)).not.toContain(NEW_MIGRATION)

    await page.goto(`${server.baseUrl}/fleet/migrations`)
    const canary = page.getByRole('form', { name: 'Canary' })
    await canary.getByLabel('First N tenants').fill('2')
    await canary.getByRole('button', { name: 'Start canary' }).click()
    await waitForPath(page, /^\/jobs\//)
    const bar = page.getByRole('progressbar')
    expect(await bar.count()).toBeGreaterThan(0)
    expect(await waitForRunToEnd(page)).toBe('completed')
    expect(await bar.first().getAttribute('value')).toBe('2')
    const migrated = []
    for (const t of tenants)
      migrated.push((await appliedMigrations(t.slug)).includes(NEW_MIGRATION))
    expect(migrated.filter(Boolean)).toHaveLength(2)

    await page.goto(`${server.baseUrl}/fleet/migrations`)
    const run = page.getByRole('form', { name: 'Run' })
    await run.getByLabel('Workers (1–8)').fill('2')
    await run.getByRole('button', { name: 'Migrate every tenant' }).click()
    expect(await waitForRunToEnd(page)).toBe('completed')
    await story.checkAccessibility('job run (migration)')
    for (const t of tenants) expect(await appliedMigrations(t.slug)).toContain(NEW_MIGRATION)
  })

  it('passes axe-core on every page it visited, with no console error', () => {
    story.expectAccessibleAndQuiet(8)
  })
})
