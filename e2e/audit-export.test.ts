// Audit export in a real Chromium against the real server (issue 14 item 4): the owner filters
// /audit to one tenant, picks CSV and clicks Export; the file arrives as a download (Playwright's
// download event), holds only that tenant's entries with a formula cell neutralised, and the
// export shows in the log. A filter naming no tenant is refused on the page instead. axe-core on
// both states. Embedded PGlite by default; PostgreSQL with TEST_DATABASE_URL.
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { appendAuditEntry } from '../src/db/audit-log.js'
import { createTenant } from '../src/test-support/factories.js'
import { useBrowserStory, waitForText } from './helpers.js'

const suffix = randomBytes(3).toString('hex')
const story = useBrowserStory({
  owner: {
    email: `export-owner-${suffix}@example.test`,
    name: 'Edda Export',
    password: `export story ${suffix} phrase`,
  },
})

describe(`audit export in the browser (${story.backend})`, () => {
  it('filters the log to one tenant, downloads it as CSV, and finds the export in the log', async () => {
    const page = story.page
    const db = story.handle.db
    const alpha = await createTenant(db, { slug: `exp-alpha-${suffix}` })
    await createTenant(db, { slug: `exp-beta-${suffix}` })
    await db
      .transaction()
      .execute((trx) =>
        appendAuditEntry(
          trx,
          { actor: null },
          { action: 'note.add', tenantId: alpha.id, targetType: 'note', targetId: '=1+2' },
        ),
      )

    await page.goto(`${story.server.baseUrl}/audit`)
    await page.getByLabel('Tenant (slug)').fill(alpha.slug)
    await page.getByLabel('Tenant (slug)').press('Enter')
    await page.waitForSelector(`input[form="audit-export"][name="tenant"][value="${alpha.slug}"]`, {
      state: 'attached',
    })
    await story.checkAccessibility('audit page with the export form')
    await page.getByLabel('Format').selectOption('csv')
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export' }).click(),
    ])

    expect(download.suggestedFilename()).toMatch(/^fleetdeck-audit-\d{4}-\d{2}-\d{2}\.csv$/)
    const text = await readFile((await download.path())!, 'utf8')
    const [header, ...rows] = text.split('\r\n').filter(Boolean)
    expect(header.split(',').slice(0, 3)).toEqual(['seq', 'created_at', 'actor_id'])
    expect(rows.length).toBeGreaterThan(1)
    expect(rows.every((row) => row.includes(alpha.id))).toBe(true)
    expect(rows.some((row) => row.includes(",'=1+2,"))).toBe(true)

    await page.goto(`${story.server.baseUrl}/audit?action=audit.export`)
    await waitForText(page.locator('#audit-results'), 'audit.export')
  })

  it('a filter naming no tenant refuses the export on the page, the filter kept', async () => {
    const page = story.page
    await page.goto(`${story.server.baseUrl}/audit`)
    await page.getByLabel('Tenant (slug)').fill(`no-such-${suffix}`)
    await page.getByLabel('Tenant (slug)').press('Enter')
    await page.waitForSelector(`input[form="audit-export"][name="tenant"]`, { state: 'attached' })
    await page.getByRole('button', { name: 'Export' }).click()

    await waitForText(page.locator('#audit-export-errors'), 'Nothing was exported')
    expect(await page.locator('#audit-export-errors').innerText()).toContain(`no-such-${suffix}`)
    await story.checkAccessibility('export refused')
    // The refusal is a 422 by design; Chromium logs it.
    story.consoleErrors.splice(
      0,
      story.consoleErrors.length,
      ...story.consoleErrors.filter((e) => !/status of 422\b/.test(e)),
    )
    story.expectAccessibleAndQuiet(2)
  })
})
