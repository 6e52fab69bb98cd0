import { gunzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { appendAuditEntry } from '../db/audit-log.js'
import { createSuperAdmin, createTenant } from '../test-support/factories.js'
import { getPage, postForm, signIn } from '../test-support/requests.js'
import { signedScopeCookie } from '../test-support/scope-cookie.js'
import { useTestApp } from '../test-support/test-app.js'

// POST /audit/export (issue 14 item 4): the /audit filters, answered with a streamed download.

const t = useTestApp()
let cookie: string
let tenantA: { id: string; slug: string }
let tenantB: { id: string; slug: string }

beforeAll(async () => {
  ;({ cookie } = await t.signedInOwner())
  tenantA = await createTenant(t.db, { slug: 'export-alpha' })
  tenantB = await createTenant(t.db, { slug: 'export-beta' })
  await t.db.transaction().execute(async (trx) => {
    for (let i = 0; i < 5; i++)
      await appendAuditEntry(trx, { actor: null }, { action: 'test.export', tenantId: tenantA.id })
    await appendAuditEntry(trx, { actor: null }, { action: 'test.export', tenantId: tenantB.id })
  })
})

/** The `audit.export` entries, newest first. */
function exportEntries() {
  return t.db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', 'audit.export')
    .orderBy('seq', 'desc')
    .execute()
}

describe('POST /audit/export', () => {
  it('downloads the filtered log as CSV with the attachment headers, and records the export', async () => {
    const before = (await exportEntries()).length
    const res = await postForm(
      t.app,
      '/audit/export',
      { tenant: 'export-alpha', action: 'test.export', format: 'csv' },
      cookie,
    )

    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    const day = new Date(t.clock.now()).toISOString().slice(0, 10)
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="fleetdeck-audit-${day}.csv"`,
    )
    const lines = (await res.text()).split('\r\n').filter(Boolean)
    expect(lines[0].startsWith('seq,created_at,actor_id,')).toBe(true)
    expect(lines).toHaveLength(6)
    expect(lines.slice(1).every((l) => l.includes(',test.export,') && l.includes(tenantA.id))).toBe(
      true,
    )
    const entries = await exportEntries()
    expect(entries).toHaveLength(before + 1)
    expect(entries[0].actor_id).toBeTruthy()
    expect(entries[0].after).toMatchObject({
      filter: { action: 'test.export', tenantId: tenantA.id },
      format: 'csv',
      rowCount: 5,
    })
  })

  it('JSON Lines comes as application/x-ndjson, one parsable object per line', async () => {
    const res = await postForm(
      t.app,
      '/audit/export',
      { tenant: tenantB.id, action: 'test.export', format: 'jsonl' },
      cookie,
    )

    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8')
    expect(res.headers.get('content-disposition')).toMatch(/\.jsonl"$/)
    const rows = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ action: 'test.export', tenant_slug: 'export-beta' })
  })

  it('a client that takes gzip gets the stream compressed as it flows, not buffered by the console', async () => {
    const res = await postForm(
      t.app,
      '/audit/export',
      { tenant: 'export-alpha', action: 'test.export', format: 'csv' },
      cookie,
      { 'accept-encoding': 'gzip, deflate, br' },
    )

    expect(res.headers.get('content-encoding')).toBe('gzip')
    const text = gunzipSync(Buffer.from(await res.arrayBuffer())).toString()
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(6)
  })

  it('a customer scope exports only that customer, whatever the form says', async () => {
    const scope = await signedScopeCookie(t.config, {
      mode: 'customer',
      tenant: tenantB.id,
      recent: [tenantB.id],
    })
    const res = await postForm(
      t.app,
      '/audit/export',
      { action: 'test.export', format: 'jsonl' },
      `${cookie}; ${scope}`,
    )

    const rows = (await res.text()).trim().split('\n')
    expect(rows.map((l) => JSON.parse(l).tenant_id)).toEqual([tenantB.id])
    expect((await exportEntries())[0].after).toMatchObject({ scope: { tenantId: tenantB.id } })
  })

  it('viewer and support cannot export: 403, and nothing is recorded', async () => {
    const before = (await exportEntries()).length
    for (const role of ['viewer', 'support'] as const) {
      const who = await createSuperAdmin(t.db, t.config, { role })
      const res = await postForm(
        t.app,
        '/audit/export',
        { format: 'csv' },
        await signIn(t.app, who, t.clock),
      )
      expect(res.status).toBe(403)
    }
    expect(await exportEntries()).toHaveLength(before)
  })

  it('an operator may export', async () => {
    const who = await createSuperAdmin(t.db, t.config, { role: 'operator' })
    const res = await postForm(
      t.app,
      '/audit/export',
      { action: 'test.export', format: 'csv' },
      await signIn(t.app, who, t.clock),
    )
    expect(res.status).toBe(200)
    expect((await res.text()).split('\r\n').filter(Boolean)).toHaveLength(7)
  })

  it('a filter that cannot apply refuses the export with 422 on the audit page, filters kept', async () => {
    const before = (await exportEntries()).length
    const unknown = await postForm(
      t.app,
      '/audit/export',
      { tenant: 'no-such-tenant', from: '2026-01-01', format: 'jsonl' },
      cookie,
    )
    const badDay = await postForm(t.app, '/audit/export', { from: '2026-02-30' }, cookie)
    const backwards = await postForm(
      t.app,
      '/audit/export',
      { from: '2026-03-01', to: '2026-02-01' },
      cookie,
    )

    expect(unknown.status).toBe(422)
    const html = await unknown.text()
    expect(html).toContain('Nothing was exported: No tenant has the slug “no-such-tenant”.')
    expect(html).toMatch(/<input type="hidden" name="tenant" value="no-such-tenant"/)
    expect(html).toMatch(/<option value="jsonl" selected/)
    expect(badDay.status).toBe(422)
    expect(await badDay.text()).toContain('From: Enter a real date as YYYY-MM-DD.')
    expect(backwards.status).toBe(422)
    expect(await backwards.text()).toContain('The date range ends before it starts.')
    expect(await exportEntries()).toHaveLength(before)
  })

  it('a format no form sends is a malformed request: 400', async () => {
    const res = await postForm(t.app, '/audit/export', { format: 'xlsx' }, cookie)
    expect(res.status).toBe(400)
  })

  it('the audit page shows the export form with the current filters to those who may export', async () => {
    const res = await getPage(t.app, '/audit?action=test.export&tenant=export-alpha', cookie)
    const html = await res.text()

    expect(html).toMatch(/<form method="post" action="\/audit\/export" id="audit-export"/)
    expect(html).toContain(
      '<input type="hidden" name="action" value="test.export" form="audit-export"',
    )
    expect(html).toContain(
      '<input type="hidden" name="tenant" value="export-alpha" form="audit-export"',
    )
    // A filter swap (htmx) brings the export form its new filters with the results.
    const swap = await getPage(t.app, '/audit?tenant=export-beta', cookie, { 'hx-request': 'true' })
    const fragment = await swap.text()
    expect(fragment).toContain(
      '<input type="hidden" name="tenant" value="export-beta" form="audit-export"',
    )
    expect(fragment).not.toContain('name="action"')
    const viewer = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    const asViewer = await getPage(t.app, '/audit', await signIn(t.app, viewer, t.clock))
    expect(await asViewer.text()).not.toContain('action="/audit/export"')
  })
})
