import { beforeAll, describe, expect, it } from 'vitest'
import { createFlag } from '../../../src/test-support/factories.js'
import { fieldError, headings, linkHrefs, tableRows } from '../../../src/test-support/html.js'
import { boardOf, insertNote, listAuditEntries, listDrawings } from './board-db.js'
import { useExampleApp } from '../test/harness.js'

// Issue 9 items 5 and 6 in the example app: Drawings by the `drawings-beta` flag, evaluated by
// OpenFeature's server SDK through the OFREP provider against Fleetdeck; Export by the plan
// (`board-export` in the kit's snapshot); the member quota refusal stays (board.test.tsx).

const h = useExampleApp()
let drawingsFlagId = ''

beforeAll(async () => {
  drawingsFlagId = (await createFlag(h.t.db, { key: 'drawings-beta' })).id
  await createFlag(h.t.db, {
    key: 'board-export',
    planValues: { professional: true, enterprise: true },
  })
})

async function turnDrawingsOn(tenantId: string) {
  await h.t.db
    .insertInto('feature_flag_overrides')
    .values({ flag_id: drawingsFlagId, tenant_id: tenantId, value: 'true', updated_at: new Date() })
    .execute()
}

describe('Drawings, behind drawings-beta over OFREP', () => {
  it('is hidden and answers 404 while the flag is off for the tenant', async () => {
    const { tenant, owner } = await h.workspace()
    const cookie = await h.cookieOf(tenant.slug, owner.email)

    const board = await (await h.get(`/t/${tenant.slug}/`, cookie)).text()
    const page = await h.get(`/t/${tenant.slug}/drawings`, cookie)
    const post = await h.post(
      `/t/${tenant.slug}/drawings`,
      { title: 'x', width: '100', height: '100' },
      cookie,
    )

    expect(linkHrefs(board, 'Drawings')).toEqual([])
    expect(page.status).toBe(404)
    expect(headings(await page.text())).toEqual(['Not found'])
    expect(post.status).toBe(404)
    expect(await listDrawings(boardOf(h.t.db, tenant.slug))).toEqual([])
  })

  it('asks Fleetdeck through the OFREP endpoint, not a private call', async () => {
    const { tenant, owner } = await h.workspace()
    const cookie = await h.cookieOf(tenant.slug, owner.email)
    h.calls.length = 0

    await h.get(`/t/${tenant.slug}/`, cookie)

    expect(h.calls).toContain('POST /ofrep/v1/evaluate/flags/drawings-beta')
  })

  it('shows the link and the page once the flag is on for the tenant, within the cache window, and not for another tenant', async () => {
    const acme = await h.workspace()
    const other = await h.workspace()
    const acmeCookie = await h.cookieOf(acme.tenant.slug, acme.owner.email)
    const otherCookie = await h.cookieOf(other.tenant.slug, other.owner.email)
    await h.get(`/t/${acme.tenant.slug}/`, acmeCookie)

    await turnDrawingsOn(acme.tenant.id)
    h.t.clock.advance(4000)

    const board = await (await h.get(`/t/${acme.tenant.slug}/`, acmeCookie)).text()
    expect(linkHrefs(board, 'Drawings')).toEqual([`/t/${acme.tenant.slug}/drawings`])
    const page = await h.get(`/t/${acme.tenant.slug}/drawings`, acmeCookie)
    expect(page.status).toBe(200)
    expect(headings(await page.text())).toContain('Drawings')
    const otherBoard = await (await h.get(`/t/${other.tenant.slug}/`, otherCookie)).text()
    expect(linkHrefs(otherBoard, 'Drawings')).toEqual([])
    expect((await h.get(`/t/${other.tenant.slug}/drawings`, otherCookie)).status).toBe(404)
  })

  it('adds a drawing to the tenant’s own table, audited in its log', async () => {
    const { tenant, owner } = await h.workspace()
    await turnDrawingsOn(tenant.id)
    const cookie = await h.cookieOf(tenant.slug, owner.email)

    const res = await h.post(
      `/t/${tenant.slug}/drawings`,
      { title: 'Floor plan', width: '1024', height: '768' },
      cookie,
    )

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/t/${tenant.slug}/drawings`)
    const drawings = await listDrawings(boardOf(h.t.db, tenant.slug))
    expect(drawings.map((d) => [d.title, d.width, d.height, d.authorEmail])).toEqual([
      ['Floor plan', 1024, 768, owner.email],
    ])
    const [entry] = await listAuditEntries(boardOf(h.t.db, tenant.slug))
    expect([entry.actor, entry.action, entry.details]).toEqual([
      owner.email,
      'drawing.added',
      { title: 'Floor plan' },
    ])
    const page = await (await h.get(`/t/${tenant.slug}/drawings`, cookie)).text()
    expect(tableRows(page, '#drawings')).toEqual([
      expect.objectContaining({ Title: 'Floor plan', Size: '1024 × 768', By: owner.email }),
    ])
  })

  it('refuses a drawing without a title or with a bad size next to the field, writing nothing', async () => {
    const { tenant, owner } = await h.workspace()
    await turnDrawingsOn(tenant.id)
    const cookie = await h.cookieOf(tenant.slug, owner.email)

    const res = await h.post(
      `/t/${tenant.slug}/drawings`,
      { title: '  ', width: '10', height: 'tall' },
      cookie,
    )

    expect(res.status).toBe(422)
    const html = await res.text()
    expect(fieldError(html, 'title')).toBe('Give the drawing a title.')
    expect(fieldError(html, 'width')).toBe('The width is at least 16 pixels.')
    expect(fieldError(html, 'height')).toMatch(/height/)
    expect(await listDrawings(boardOf(h.t.db, tenant.slug))).toEqual([])
    const entries = await listAuditEntries(boardOf(h.t.db, tenant.slug))
    expect(entries.filter((e) => e.action === 'drawing.added')).toEqual([])
  })
})

describe('Export, included by the plan (kit isEnabled)', () => {
  it('a Free tenant sees no Export link, and the CSV answers 404', async () => {
    const { tenant, owner } = await h.workspace({ planId: 'free' })
    const cookie = await h.cookieOf(tenant.slug, owner.email)

    const board = await (await h.get(`/t/${tenant.slug}/`, cookie)).text()
    const csv = await h.get(`/t/${tenant.slug}/export.csv`, cookie)

    expect(linkHrefs(board, 'Export board')).toEqual([])
    expect(csv.status).toBe(404)
  })

  it('a Professional tenant exports its notes as CSV, formulas defused', async () => {
    const { tenant, owner } = await h.workspace({ planId: 'professional' })
    const cookie = await h.cookieOf(tenant.slug, owner.email)
    await insertNote(boardOf(h.t.db, tenant.slug), 'Plan, "draft"', owner.email)
    await insertNote(boardOf(h.t.db, tenant.slug), '=HYPERLINK("x")', owner.email)

    const board = await (await h.get(`/t/${tenant.slug}/`, cookie)).text()
    const csv = await h.get(`/t/${tenant.slug}/export.csv`, cookie)

    expect(linkHrefs(board, 'Export board')).toEqual([`/t/${tenant.slug}/export.csv`])
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(csv.headers.get('content-disposition')).toBe(
      `attachment; filename="${tenant.slug}-board.csv"`,
    )
    const lines = (await csv.text()).trimEnd().split('\r\n')
    expect(lines[0]).toBe('id,body,author,created_at')
    expect(lines[1]).toMatch(
      new RegExp(`^\\d+,"Plan, ""draft""",${owner.email.replace(/\./g, '\\.')},`),
    )
    expect(lines[2]).toMatch(/^\d+,"'=HYPERLINK\(""x""\)",/)
  })
})
