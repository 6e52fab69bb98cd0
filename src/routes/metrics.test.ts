import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { captureLogger } from '../observability/capture-logger.js'
import { setGlobalAllowlist, invalidateSettingsCache } from '../db/settings.js'
import { createSuperAdmin, createTenant, createUser } from '../test-support/factories.js'
import { getPage, send } from '../test-support/requests.js'
import { createTestAppWith, testConfig, useTestApp } from '../test-support/test-app.js'
import { isLoopback, loopbackScrapingRefused, tokensMatch } from './metrics.js'

// /metrics scraped through the app and read back by a parser of Prometheus' text format
// (prometheus.io/docs/instrumenting/exposition_formats): `name{label="value",…} value`.

type Sample = { name: string; labels: Record<string, string>; value: number }

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line)
    if (!m) throw new Error(`not an exposition line: ${line}`)
    const labels: Record<string, string> = {}
    for (const [, key, value] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key] = value.replace(/\\(.)/g, (_, ch) => (ch === 'n' ? '\n' : ch))
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3])
    // prom-client writes NaN as `Nan`; Prometheus parses floats case-insensitively (Go's ParseFloat).
    if (Number.isNaN(value) && !/^nan$/i.test(m[3])) throw new Error(`bad value: ${line}`)
    samples.push({ name: m[1], labels, value })
  }
  return samples
}

/** The one sample named `name` whose labels include `labels`; undefined when none. */
function sample(samples: Sample[], name: string, labels: Record<string, string> = {}) {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} is not one sample`)
  return found[0]?.value
}

const LOOPBACK = '127.0.0.1'
const t = useTestApp()

async function scrape(app = t.app, ip = LOOPBACK) {
  const res = await send(app, 'GET', '/metrics', { ip })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
  return parseExposition(await res.text())
}

describe('GET /metrics', () => {
  it('exposes a /tenants request in the histogram by its route pattern', async () => {
    const { cookie } = await t.signedInOwner()
    const before = await scrape()
    const count = (s: Sample[]) =>
      sample(s, 'http_request_duration_seconds_count', {
        route: '/tenants',
        method: 'GET',
        status: '200',
      }) ?? 0

    expect((await getPage(t.app, '/tenants', cookie)).status).toBe(200)
    expect((await getPage(t.app, '/tenants?q=zzz', cookie)).status).toBe(200)
    const after = await scrape()

    expect(count(after) - count(before)).toBe(2)
    const inf = sample(after, 'http_request_duration_seconds_bucket', {
      route: '/tenants',
      method: 'GET',
      status: '200',
      le: '+Inf',
    })
    expect(inf).toBe(count(after))
    // Only patterns: no label value holds an id or a query string.
    const routes = new Set(after.filter((s) => s.labels.route).map((s) => s.labels.route))
    for (const route of routes) expect(route).toMatch(/^(\/[\w.\-:*]*)+$|^unmatched$/)
  })

  it('counts tenants by status, users and active impersonations as the factories made them', async () => {
    const before = await scrape()
    const tenants = await Promise.all([1, 2, 3, 4, 5].map(() => createTenant(t.db)))
    await sql`update tenants set status = 'suspended' where id in (${sql.join(
      tenants.slice(0, 2).map((x) => x.id),
    )})`.execute(t.db)
    const users = [
      await createUser(t.db),
      await createUser(t.db),
      await createUser(t.db, { status: 'disabled' }),
    ]
    const now = t.clock.now()
    for (const [tenant, expires, ended] of [
      [tenants[2], now + 600_000, null], // active
      [tenants[3], now - 1_000, null], // expired
      [tenants[4], now + 600_000, now - 1_000], // ended
    ] as const) {
      // One open impersonation per operator: each row its own operator.
      const owner = await createSuperAdmin(t.db, t.config)
      await sql`insert into impersonations
        (operator_id, operator_email, tenant_id, user_id, reason, mode, started_at, expires_at, ended_at, end_reason)
        values (${owner.admin.id}, ${owner.admin.email}, ${tenant.id}, ${users[0].id}, 'Ticket 4711: checking an invoice',
          'read_only', ${new Date(now - 60_000)}, ${new Date(expires)},
          ${ended === null ? null : new Date(ended)}, ${ended === null ? null : 'ended'})`.execute(
        t.db,
      )
    }
    const after = await scrape()

    const delta = (name: string, labels: Record<string, string> = {}) =>
      (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0)
    expect(delta('fleetdeck_tenants', { status: 'active' })).toBe(3)
    expect(delta('fleetdeck_tenants', { status: 'suspended' })).toBe(2)
    expect(sample(after, 'fleetdeck_tenants', { status: 'deleted' })).toBe(0)
    // Each tenant's onboarding made its first admin an active user: 5, then 3 more here.
    expect(delta('fleetdeck_users')).toBe(8)
    expect(delta('fleetdeck_users_by_status', { status: 'active' })).toBe(7)
    expect(delta('fleetdeck_users_by_status', { status: 'disabled' })).toBe(1)
    expect(delta('fleetdeck_impersonations_active')).toBe(1)
    const { count } = (await t.db
      .selectFrom('tenants')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow()) as { count: number }
    expect(sample(after, 'fleetdeck_tenants', { status: 'active' })).toBe(Number(count))
    expect(sample(after, 'fleetdeck_metrics_database_up')).toBe(1)
  })

  it('reports the app pool and the latest scheduler lag per task', async () => {
    const planned = new Date('2026-01-01T00:00:00Z')
    for (const [task, lagMs, at, catchUp] of [
      ['obs-test-task', 9_000, planned, false],
      ['obs-test-task', 2_500, new Date(planned.getTime() + 10_000), false],
      // A later start-up's claim of a slot under way is no lag: the gauge keeps the run before.
      ['obs-test-task', 8_000, new Date(planned.getTime() + 20_000), true],
    ] as const) {
      await t.db
        .insertInto('scheduler_runs')
        .values({
          task,
          planned_at: at,
          started_at: new Date(at.getTime() + lagMs),
          outcome: 'succeeded',
          instance: 'test:1',
          catch_up: catchUp,
        })
        .execute()
    }
    const samples = await scrape()

    expect(sample(samples, 'fleetdeck_scheduler_lag_seconds', { task: 'obs-test-task' })).toBe(2.5)
    const pool = t.database.poolStats()
    expect(sample(samples, 'fleetdeck_db_pool_max')).toBe(pool.max)
    for (const name of ['in_use', 'idle', 'waiting'])
      expect(sample(samples, `fleetdeck_db_pool_${name}`)).toEqual(expect.any(Number))
    expect(sample(samples, 'fleetdeck_bulk_batches_running')).toBe(0)
    expect(sample(samples, 'fleetdeck_job_items_pending', { kind: 'backup' })).toBe(0)
    // Node's default metrics come along.
    expect(sample(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0)
    expect(sample(samples, 'nodejs_eventloop_lag_p99_seconds')).toEqual(expect.any(Number))
  })

  it('still answers with pool and process metrics when the database cannot be read', async () => {
    const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', max: 1 })
    const log = captureLogger()
    const away = createApp({
      config: testConfig(),
      database: { ...t.database, db: new Kysely({ dialect: new PostgresDialect({ pool }) }) },
      logger: log.logger,
    })
    try {
      const res = await send(away, 'GET', '/metrics', { ip: LOOPBACK })
      expect(res.status).toBe(200)
      const samples = parseExposition(await res.text())
      expect(sample(samples, 'fleetdeck_metrics_database_up')).toBe(0)
      expect(sample(samples, 'fleetdeck_tenants', { status: 'active' })).toBeUndefined()
      expect(sample(samples, 'fleetdeck_db_pool_max')).toEqual(expect.any(Number))
      expect(log.lines()).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          msg: 'metrics: the fleet gauges could not be read',
        }),
      )
    } finally {
      await pool.end()
    }
  })
})

describe('who may scrape /metrics without METRICS_TOKEN', () => {
  it('a loopback peer that came through no proxy', async () => {
    expect((await send(t.app, 'GET', '/metrics', { ip: '::1' })).status).toBe(200)
    expect((await send(t.app, 'GET', '/metrics', { ip: '::ffff:127.0.0.1' })).status).toBe(200)
  })

  it('not a loopback peer that forwards someone else (a reverse proxy on this host)', async () => {
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
      const res = await send(t.app, 'GET', '/metrics', {
        ip: LOOPBACK,
        headers: { [header]: header === 'forwarded' ? 'for=198.51.100.9' : '198.51.100.9' },
      })
      expect(res.status, header).toBe(403)
      expect(await res.text()).not.toContain('fleetdeck_tenants')
    }
  })

  it('not another address, not even with an owner console session', async () => {
    const { cookie } = await t.signedInOwner()
    const res = await send(t.app, 'GET', '/metrics', { ip: '203.0.113.7', cookie })
    expect(res.status).toBe(403)
    expect(await res.text()).not.toContain('http_request_duration_seconds')
  })

  it('answers loopback even when the operator allowlist shuts everyone else out', async () => {
    const { owner } = await t.signedInOwner()
    await t.db
      .transaction()
      .execute((trx) => setGlobalAllowlist(trx, ['203.0.113.0/24'], owner.admin.id, new Date()))
    invalidateSettingsCache()
    try {
      expect((await send(t.app, 'GET', '/login', { ip: LOOPBACK })).status).toBe(403)
      expect((await send(t.app, 'GET', '/metrics', { ip: LOOPBACK })).status).toBe(200)
    } finally {
      await t.db
        .transaction()
        .execute((trx) => setGlobalAllowlist(trx, [], owner.admin.id, new Date()))
      invalidateSettingsCache()
    }
  })

  it('POST /metrics scrapes nothing', async () => {
    const res = await send(t.app, 'POST', '/metrics', { ip: LOOPBACK, fields: {} })
    expect(res.status).not.toBe(200)
    expect(await res.text()).not.toContain('http_request_duration_seconds')
  })
})

describe('who may scrape /metrics with METRICS_TOKEN', () => {
  const TOKEN = 'prometheus-token-0123456789abcdef'

  it('a bearer of the token from any address; 401 with WWW-Authenticate otherwise', async () => {
    const withToken = await createTestAppWith({ METRICS_TOKEN: TOKEN }, t)
    const ask = (headers: Record<string, string>, ip = '203.0.113.7') =>
      send(withToken.app, 'GET', '/metrics', { ip, headers })

    const ok = await ask({ authorization: `Bearer ${TOKEN}` })
    expect(ok.status).toBe(200)
    expect(parseExposition(await ok.text()).length).toBeGreaterThan(10)
    const refused: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
      { authorization: 'Bearer' },
    ]
    for (const headers of refused) {
      const res = await ask(headers, LOOPBACK)
      expect(res.status, JSON.stringify(headers)).toBe(401)
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /)
      expect(await res.text()).not.toContain('fleetdeck_')
    }
  })
})

describe('where a loopback peer proves nothing', () => {
  // nginx's default proxy_pass adds no X-Forwarded-For: behind a proxy on this host every visitor
  // is a loopback peer without a forwarding header. Only METRICS_TOKEN tells Prometheus apart.
  for (const [why, env, at] of [
    ['TRUST_PROXY=loopback', { TRUST_PROXY: 'loopback' }, 'http://127.0.0.1:3000'],
    ['TRUST_PROXY=<CIDRs>', { TRUST_PROXY: '10.0.0.0/8' }, 'http://127.0.0.1:3000'],
    ['PUBLIC_URL set', { PUBLIC_URL: 'http://127.0.0.1:3000' }, 'http://127.0.0.1:3000'],
    [
      'NODE_ENV=production',
      { NODE_ENV: 'production', PUBLIC_URL: 'https://console.example.com' },
      'https://console.example.com',
    ],
  ] as const) {
    it(`refuses a bare loopback peer with ${why} and no METRICS_TOKEN, saying to set it`, async () => {
      const app = (await createTestAppWith(env, t)).app
      const res = await send(app, 'GET', `${at}/metrics`, { ip: LOOPBACK })
      const text = await res.text()

      expect(res.status).toBe(403)
      expect(text).toContain('METRICS_TOKEN')
      expect(text).not.toContain('fleetdeck_')
    })
  }

  it('the same configurations answer a bearer of METRICS_TOKEN', async () => {
    const TOKEN = 'prometheus-token-0123456789abcdef'
    const app = (await createTestAppWith({ TRUST_PROXY: 'loopback', METRICS_TOKEN: TOKEN }, t)).app
    const res = await send(app, 'GET', '/metrics', {
      ip: LOOPBACK,
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    expect(res.status).toBe(200)
    expect(sample(parseExposition(await res.text()), 'fleetdeck_metrics_database_up')).toBe(1)
  })

  it('loopbackScrapingRefused names the reason, and none for a bare development setup', () => {
    expect(loopbackScrapingRefused(testConfig())).toBeUndefined()
    expect(loopbackScrapingRefused(testConfig({ NODE_ENV: 'development' }))).toBeUndefined()
    expect(loopbackScrapingRefused(testConfig({ TRUST_PROXY: 'loopback' }))).toMatch(/TRUST_PROXY/)
    expect(loopbackScrapingRefused(testConfig({ PUBLIC_URL: 'http://x.test' }))).toMatch(
      /PUBLIC_URL/,
    )
    expect(
      loopbackScrapingRefused({ trustProxy: 'false', publicUrlExplicit: false, env: 'production' }),
    ).toMatch(/production/)
  })
})

describe('an instance scraped by its address', () => {
  const TOKEN = 'prometheus-token-0123456789abcdef'
  const env = { incoming: { socket: { remoteAddress: LOOPBACK } } }

  it('answers /metrics whatever the Host to a bearer of METRICS_TOKEN, unlike the console', async () => {
    const behind = await createTestAppWith(
      { PUBLIC_URL: 'https://console.example.com', METRICS_TOKEN: TOKEN },
      t,
    )
    const at = (path: string, headers: Record<string, string> = {}) =>
      behind.app.request(`http://127.0.0.1:3000${path}`, { headers }, env)

    expect((await at('/login')).status).toBe(421)
    const res = await at('/metrics', { authorization: `Bearer ${TOKEN}` })
    expect(res.status).toBe(200)
    expect(sample(parseExposition(await res.text()), 'fleetdeck_metrics_database_up')).toBe(1)
  })

  it('keeps the Host check for /metrics without METRICS_TOKEN: a DNS-rebound page reads nothing', async () => {
    // A page at attacker.example re-points its name at 127.0.0.1: the browser on this host
    // connects from loopback and sends the attacker's Host.
    const behind = await createTestAppWith({ PUBLIC_URL: 'https://console.example.com' }, t)
    const res = await behind.app.request('http://attacker.example/metrics', {}, env)

    expect(res.status).toBe(421)
    expect(await res.text()).not.toContain('fleetdeck_')
  })
})

describe('the checks', () => {
  it('isLoopback knows 127/8, ::1 and the mapped form, and nothing else', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])
      expect(isLoopback(a), a).toBe(true)
    for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '1127.0.0.1', '::2', '', undefined])
      expect(isLoopback(a), String(a)).toBe(false)
  })

  it('tokensMatch compares whole tokens', () => {
    expect(tokensMatch('abc', 'abc')).toBe(true)
    expect(tokensMatch('abc', 'abd')).toBe(false)
    expect(tokensMatch('ab', 'abc')).toBe(false)
  })
})
