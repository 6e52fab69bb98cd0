import { describe, expect, it } from 'vitest'
import { HEALTH_TEST_DIRS, healthy, tenantWith } from '../fleet/health-check-fixtures.js'
import { runFleetHealthCheck } from '../fleet/health-check.js'
import { auditEntries } from '../test-support/database-state.js'
import { parseHtml, tableRow, textOf } from '../test-support/html.js'
import { cookieOfRole, followWithFlash } from '../test-support/plan-scenes.js'
import { getPage, postForm } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

// Schema health on the tenants table (column, ?health= filter) and on the tenant page (issue 11
// item 2), and the tenant page's "Check now".

const t = useTestApp({ TENANT_MIGRATION_DIRS: HEALTH_TEST_DIRS.join(',') })
const cookieOf = (role: 'viewer' | 'operator') =>
  cookieOfRole(t.db, t.config, role, new Date(t.clock.now()))
const dropFileSize = (s: string) => `alter table ${s}.attachments drop column file_size`

async function html(path: string, cookie: string) {
  const res = await getPage(t.app, path, cookie)
  expect(res.status).toBe(200)
  return res.text()
}

describe('the tenants table', () => {
  it('shows each tenant health ("not checked" before a check) and filters by it, counted right', async () => {
    const unchecked = await tenantWith(t.db, healthy)
    const cookie = await cookieOf('viewer')
    expect(tableRow(await html('/tenants', cookie), `tenant-${unchecked.id}`).Health).toBe(
      'not checked',
    )
    const fine = await tenantWith(t.db, healthy)
    const drifted = await tenantWith(t.db, dropFileSize)
    await runFleetHealthCheck(t.database, t.config)

    const all = await html('/tenants', cookie)
    const only = await html('/tenants?health=drift', cookie)

    expect(tableRow(all, `tenant-${fine.id}`).Health).toBe('healthy')
    expect(tableRow(all, `tenant-${drifted.id}`).Health).toBe('drift')
    const ids = parseHtml(only)
      .querySelectorAll('tbody tr[id^="tenant-"]')
      .map((r) => r.id)
    expect(ids).toEqual([`tenant-${drifted.id}`])
    expect(textOf(only, '#tenant-table span')).toBe('1 tenant')
    expect(parseHtml(only).querySelector('#tenant-health option[selected]')?.text).toBe('drift')
  })
})

describe('the tenant page', () => {
  it('shows its latest result: health, findings in words and a repair link', async () => {
    const drifted = await tenantWith(t.db, dropFileSize)
    await runFleetHealthCheck(t.database, t.config)

    const page = await html(`/tenants/${drifted.id}`, await cookieOf('viewer'))

    const section = textOf(page, '#schema-health') ?? ''
    expect(section).toContain('drift')
    expect(section).toContain('column attachments.file_size is missing')
    const repair = parseHtml(page).querySelector('#schema-health a')
    expect(repair?.getAttribute('href')).toBe(`/fleet/schemas/${drifted.schema}`)
    expect(parseHtml(page).querySelector('#schema-health form')).toBeNull()
  })

  it('Check now checks that schema alone, stores it, audits it and says what it found', async () => {
    const tenant = await tenantWith(t.db, healthy)
    const cookie = await cookieOf('operator')
    await t.db.updateTable('tenants').set({ health: 'drift' }).where('id', '=', tenant.id).execute()

    const res = await postForm(t.app, '/fleet/checks', { tenant_id: tenant.id }, cookie)

    expect(res.headers.get('location')).toBe(`/tenants/${tenant.id}`)
    expect(textOf(await followWithFlash(t.app, res, cookie), '[role="status"]')).toContain(
      'Schema checked: healthy.',
    )
    const row = await t.db
      .selectFrom('tenants')
      .select('health')
      .where('id', '=', tenant.id)
      .executeTakeFirstOrThrow()
    expect(row.health).toBe('healthy')
    const [audit] = (await auditEntries(t.db, 'tenant.health_check')).filter(
      (a) => a.target_id === tenant.id,
    )
    expect(audit).toMatchObject({ before: { health: 'drift' }, after: { health: 'healthy' } })
  })

  it('a viewer cannot check a tenant now: 403, nothing stored', async () => {
    const tenant = await tenantWith(t.db, healthy)
    const res = await postForm(
      t.app,
      '/fleet/checks',
      { tenant_id: tenant.id },
      await cookieOf('viewer'),
    )

    expect(res.status).toBe(403)
    const row = await t.db
      .selectFrom('fleet_check_results')
      .select('schema_name')
      .where('tenant_id', '=', tenant.id)
      .execute()
    expect(row).toEqual([])
  })
})
