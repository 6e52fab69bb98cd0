import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { findOpenHealthCheckRun } from '../db/fleet-check-results.js'
import { HEALTH_TEST_DIRS, healthy, tenantWith } from '../fleet/health-check-fixtures.js'
import { drainJobRun } from '../jobs/runner.js'
import { auditEntries } from '../test-support/database-state.js'
import { linkHrefs, parseHtml, textOf } from '../test-support/html.js'
import { cookieOfRole } from '../test-support/plan-scenes.js'
import { getPage, postForm } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

// /fleet (issue 11 item 2): the latest check, unhealthy schemas failures first, starting a check.

const t = useTestApp({ TENANT_MIGRATION_DIRS: HEALTH_TEST_DIRS.join(',') })
const cookieOf = (role: 'viewer' | 'operator') =>
  cookieOfRole(t.db, t.config, role, new Date(t.clock.now()))

async function fleetPage(cookie: string, query = '') {
  const res = await getPage(t.app, `/fleet${query}`, cookie)
  return { status: res.status, html: await res.text() }
}

const runs = () => t.db.selectFrom('job_runs').selectAll().where('kind', '=', 'health_check')

describe('/fleet before any check', () => {
  it('a viewer sees that no check has run yet, and no way to start one', async () => {
    const { status, html } = await fleetPage(await cookieOf('viewer'))

    expect(status).toBe(200)
    expect(textOf(html, '#latest-check')).toContain('No check has run yet.')
    expect(parseHtml(html).querySelector('form[action="/fleet/checks"]')).toBeNull()
    expect(linkHrefs(html, 'Fleet')).toEqual(['/fleet'])
  })

  it('a viewer cannot start a check: 403 and no run', async () => {
    const res = await postForm(t.app, '/fleet/checks', {}, await cookieOf('viewer'))

    expect(res.status).toBe(403)
    expect(await runs().execute()).toEqual([])
  })

  it('an operator starts one as an audited job; a second start leads to the open run', async () => {
    const cookie = await cookieOf('operator')
    expect(textOf((await fleetPage(cookie)).html, '#latest-check')).toContain('Run a check now')

    const first = await postForm(t.app, '/fleet/checks', {}, cookie)
    const second = await postForm(t.app, '/fleet/checks', {}, cookie)

    const [run] = await runs().execute()
    expect(run).toMatchObject({ status: 'running', total: 1 })
    expect(first.status).toBe(303)
    expect(first.headers.get('location')).toBe(`/jobs/${run.id}`)
    expect(second.headers.get('location')).toBe(`/jobs/${run.id}`)
    expect((await runs().execute()).length).toBe(1)
    const audits = await auditEntries(t.db, 'job.start')
    expect(audits.filter((a) => a.target_id === run.id)).toHaveLength(1)
    expect(textOf((await fleetPage(cookie)).html, '#open-check')).toContain('A check is running')
  })

  it('a malformed filter or form is a 400', async () => {
    const cookie = await cookieOf('operator')
    expect((await fleetPage(cookie, '?health=bogus')).status).toBe(400)
    expect((await postForm(t.app, '/fleet/checks', { tenant_id: 'x' }, cookie)).status).toBe(400)
  })
})

describe('/fleet after a check', () => {
  it('shows counts, then unhealthy schemas failures first with what is wrong and a repair link', async () => {
    const fine = await tenantWith(t.db, healthy)
    const drifted = await tenantWith(
      t.db,
      (s) => `alter table ${s}.attachments drop column file_size`,
    )
    const missing = await tenantWith(t.db, (s) => `drop schema ${s} cascade`)
    await sql`create schema tenant_stray_one`.execute(t.db)
    await drainJobRun(t.database, t.config, (await findOpenHealthCheckRun(t.db))!)

    const { html } = await fleetPage(await cookieOf('viewer'))

    expect(textOf(html, '#count-healthy')).toBe('1 healthy')
    expect(textOf(html, '#count-drift')).toBe('1 drift')
    const rows = parseHtml(html)
      .querySelectorAll('#schema-results tbody tr')
      .map((r) => r.id)
    expect(rows).toEqual([
      `schema-${missing.schema}`,
      'schema-tenant_stray_one',
      `schema-${drifted.schema}`,
    ])
    expect(textOf(html, `#schema-${drifted.schema}`)).toContain(
      'column attachments.file_size is missing',
    )
    expect(linkHrefs(html, 'Repair…')).toContain(`/fleet/schemas/${drifted.schema}`)
    expect(html).not.toContain(`schema-${fine.schema}`)

    const filtered = await fleetPage(await cookieOf('viewer'), '?health=healthy')
    const healthyRows = parseHtml(filtered.html).querySelectorAll('#schema-results tbody tr')
    expect(healthyRows.map((r) => r.id)).toEqual([`schema-${fine.schema}`])
  })
})
