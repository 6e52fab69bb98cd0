import { beforeEach, describe, expect, it } from 'vitest'
import { insertHealthSample } from '../db/health-samples.js'
import { textOf, rowCells, linkHrefs, parseHtml } from '../test-support/html.js'
import { getPage, send, signIn } from '../test-support/requests.js'
import { createSuperAdmin } from '../test-support/factories.js'
import { cookieOfRole } from '../test-support/plan-scenes.js'
import { useTestApp } from '../test-support/test-app.js'
import { POLL_HEADER } from '../web/guards.js'

// /system (issue 10 item 3): every metric with its state, value, trend and advice; the poll.

const t = useTestApp()

async function stored(agoMs: number, metrics: Record<string, number | null>) {
  await insertHealthSample(t.db, {
    takenAt: new Date(t.clock.now() - agoMs),
    metrics,
    instance: 'sampler-host:42',
  })
}

async function page(headers: Record<string, string> = {}) {
  const { cookie } = await t.signedInOwner()
  const res = await getPage(t.app, '/system', cookie, headers)
  return { res, html: await res.text() }
}

beforeEach(async () => {
  // Signing in moves the clock a TOTP step: done before any sample is stored "n s ago".
  await t.signedInOwner()
  await t.db.deleteFrom('health_samples').execute()
  await t.db.deleteFrom('settings').where('key', '=', 'health_thresholds').execute()
})

describe('/system', () => {
  it('shows the latest stored sample: state in words, value with its unit, who took it and when', async () => {
    await stored(4_000, {
      'host.cpu_percent': 72.5,
      'pg.pool_percent': 95,
      'host.memory_percent': 40,
    })

    const { res, html } = await page()

    expect(res.status).toBe(200)
    expect(rowCells(html, 'metric-host-cpu-percent').slice(0, 3)).toEqual([
      'CPU busy, all cores warning above 70 %, critical above 85 %',
      'Warning',
      '72.5 %',
    ])
    expect(rowCells(html, 'metric-pg-pool-percent')[1]).toBe('Critical')
    expect(rowCells(html, 'metric-host-memory-percent')[1]).toBe('Healthy')
    expect(rowCells(html, 'metric-pg-pool-percent')[4]).toContain('raise the pool size')
    expect(rowCells(html, 'metric-host-memory-percent')[4]).toBe('')
    expect(textOf(html, '#health-status')).toBe('1 warning, 1 critical')
    expect(textOf(html, '#sampled-at')).toContain('(4 s ago, by sampler-host:42)')
    const groups = parseHtml(html)
      .querySelectorAll('#health-panel h2')
      .map((h) => h.textContent)
    expect(groups).toEqual(['PostgreSQL', 'Jobs', 'Scheduler', 'HTTP', 'Node', 'Host'])
  })

  it('with no recent stored sample, takes one for the page without storing it and says so', async () => {
    await stored(45_000, { 'host.cpu_percent': 99 })

    const { html } = await page()

    expect(textOf(html, '#sampled-at')).toContain(
      'for this page: no stored sample in the last 30 seconds',
    )
    expect(rowCells(html, 'metric-node-rss-bytes')[2]).toMatch(/^\d+(\.\d)? MB$/)
    expect(await t.db.selectFrom('health_samples').select('id').execute()).toHaveLength(1)
  })

  it('shares a sample it took for the page with every request for 10 seconds', async () => {
    const takenAt = (html: string) =>
      parseHtml(html).querySelector('#sampled-at time')?.getAttribute('datetime')
    const first = takenAt((await page()).html)
    t.clock.advance(5_000)
    const again = takenAt((await page({ 'hx-request': 'true', 'x-fleetdeck-poll': '1' })).html)
    t.clock.advance(10_000)
    const later = takenAt((await page()).html)

    expect(first).toBeDefined()
    expect(again).toBe(first)
    expect(later).not.toBe(first)
  })

  it.runIf(!process.env.TEST_DATABASE_URL)(
    'on the embedded database says "not available" for what PGlite cannot give, never 0',
    async () => {
      const { html } = await page()
      const cells = rowCells(html, 'metric-pg-connections-percent')
      expect(cells[1]).toBe('Not available')
      expect(cells[2]).toBe('Not available on the embedded database.')
      expect(rowCells(html, 'metric-pg-database-bytes')[2]).toMatch(/MB$/)
    },
  )

  it('draws the last hour of stored samples as a trend with the numbers for screen readers', async () => {
    await stored(3 * 60_000, { 'host.cpu_percent': 10 })
    await stored(2 * 60_000, { 'host.cpu_percent': 20 })
    // Taken now: a sample 2 s ago falls in the previous minute during a minute's first 2 s.
    await stored(0, { 'host.cpu_percent': 30 })

    const { html } = await page()

    const trend = rowCells(html, 'metric-host-cpu-percent')[3]
    expect(trend).toMatch(/^CPU busy, all cores, last hour: /)
    expect(trend).toContain(' 10 %, ')
    expect(trend).toContain(' 20 %, ')
    expect(trend).toMatch(/ 30 %$/)
    expect(parseHtml(html).querySelector('#metric-host-cpu-percent svg')).not.toBeNull()
  })

  it('judges by the thresholds an owner saved', async () => {
    await stored(1_000, { 'host.cpu_percent': 50 })
    expect(rowCells((await page()).html, 'metric-host-cpu-percent')[1]).toBe('Healthy')
    await t.db
      .insertInto('settings')
      .values({
        key: 'health_thresholds',
        value: JSON.stringify({ cpu: { warning: 30, critical: 45 } }),
        updated_at: new Date(),
        updated_by: null,
      })
      .execute()

    const { html } = await page()

    expect(rowCells(html, 'metric-host-cpu-percent').slice(0, 2)).toEqual([
      'CPU busy, all cores warning above 30 %, critical above 45 %',
      'Critical',
    ])
    expect(textOf(html, '#health-status')).toBe('1 critical')
  })

  it('answers the poll with the panel alone, the status line out of band', async () => {
    await stored(1_000, { 'host.cpu_percent': 90 })

    const { res, html } = await page({ 'HX-Request': 'true', [POLL_HEADER]: '1' })

    expect(res.status).toBe(200)
    expect(html.startsWith('<div id="health-panel"')).toBe(true)
    expect(html).not.toContain('<h1')
    const root = parseHtml(html)
    expect(root.querySelector('#health-panel')!.getAttribute('hx-trigger')).toBe('every 10s')
    expect(root.querySelector('#health-panel')!.getAttribute('hx-headers')).toBe(
      JSON.stringify({ [POLL_HEADER]: '1' }),
    )
    const status = root.querySelector('#health-status')!
    expect(status.getAttribute('hx-swap-oob')).toBe('innerHTML')
    expect(status.textContent.trim()).toBe('1 critical')
  })

  it('links to Grafana only when GRAFANA_URL is set', async () => {
    expect(linkHrefs((await page()).html, 'Open in Grafana')).toEqual([])
  })
})

describe('/system with GRAFANA_URL and REDIS_URL', () => {
  const g = useTestApp({
    GRAFANA_URL: 'https://grafana.example/d/fleetdeck',
    REDIS_URL: 'redis://127.0.0.1:6379',
  })

  it('links to the Grafana dashboard and shows Redis memory', async () => {
    const { cookie } = await g.signedInOwner()
    const html = await (await getPage(g.app, '/system', cookie)).text()
    expect(linkHrefs(html, 'Open in Grafana')).toEqual(['https://grafana.example/d/fleetdeck'])
    expect(rowCells(html, 'metric-redis-used-memory-bytes')[2]).toMatch(/B$/)
  })
})

describe('the poll and the session', () => {
  it('polls alone let the session reach its idle timeout', async () => {
    const viewer = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    const cookie = await signIn(t.app, viewer, t.clock)
    const poll = { 'HX-Request': 'true', [POLL_HEADER]: '1' }
    for (let minute = 0; minute < 28; minute += 4) {
      t.clock.advance(4 * 60_000)
      expect((await getPage(t.app, '/system', cookie, poll)).status).toBe(200)
    }
    t.clock.advance(3 * 60_000)

    const refused = await getPage(t.app, '/system', cookie, poll)

    expect(refused.status).toBe(401)
    expect(refused.headers.get('hx-redirect')).toMatch(/^\/login\?ended=idle/)
  })

  it('a request without the poll header does count as activity (the control)', async () => {
    const viewer = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    const cookie = await signIn(t.app, viewer, t.clock)
    t.clock.advance(28 * 60_000)
    expect((await getPage(t.app, '/system', cookie, { 'HX-Request': 'true' })).status).toBe(200)
    t.clock.advance(3 * 60_000)
    expect((await getPage(t.app, '/system', cookie, { 'HX-Request': 'true' })).status).toBe(200)
  })

  it('every role may look', async () => {
    for (const role of ['viewer', 'support'] as const) {
      const cookie = await cookieOfRole(t.db, t.config, role, new Date(t.clock.now()))
      expect((await send(t.app, 'GET', '/system', { cookie })).status).toBe(200)
    }
  })
})
