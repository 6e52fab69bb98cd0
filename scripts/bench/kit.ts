// `npm run bench -- --kit`: the tenant side's numbers (issue 8, "Numbers for the closing note").
// PostgreSQL; Fleetdeck and the example tenant app as real servers on 127.0.0.1 in this process,
// the kit talking to Fleetdeck over loopback HTTP as a customer's app would.
//   - Kit overhead per tenant-app request: a page behind the kit's tenant and member guards
//     against the same page without them, p50/p95 of 300 sequential requests each — warm cache,
//     every request revalidating (ETag → 304), and cold (no cache: two full kit API answers).
//   - Handoff: "View as" posted in the console → the app's handoff → the app's first page, over
//     HTTP (no browser paint), median of 20.
//   - End → refusal and suspend → refusal: the time until the app refuses a request, polled every
//     20 ms, max of 20 each (the kit promises ≤ 5 s).
//   - OFREP: bulk evaluation of 20 flags for the tenant over HTTP (POST /ofrep/v1/evaluate/flags),
//     p50/p95 of 300 sequential calls after 30 warm-up calls, full answers and 304 revalidations,
//     one flag, against the same-run baseline of /healthz and the kit's tenant snapshot.
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { decodeJwt } from 'jose'
import { createKit, type Kit, type KitOptions } from '@fleetdeck/kit'
import { fleetdeck, type FleetdeckEnv } from '@fleetdeck/kit/hono'
import { connectFlags } from '../../examples/tenant-app/src/flags.js'
import { createExampleApp } from '../../examples/tenant-app/src/app.js'
import { boardOf, saveCredentials } from '../../examples/tenant-app/src/board-db.js'
import { hashPassword } from '../../examples/tenant-app/src/passwords.js'
import { createApp } from '../../src/app.js'
import { generateAppKey } from '../../src/auth/app-keys.js'
import { loadConfig } from '../../src/config.js'
import { insertAppKey } from '../../src/db/app-keys.js'
import { openDatabase } from '../../src/db/database.js'
import { migratePlatform } from '../../src/db/migrate.js'
import { findUsersByEmails } from '../../src/db/users.js'
import type { DatabaseHandle } from '../../src/db/database.js'
import { createTenantRecord, runOnboarding } from '../../src/tenancy/onboarding.js'
import { createFlag } from '../../src/test-support/factories.js'
import { signedInOwner, withScratchDatabase } from './fixtures.js'
import { latency, percentile } from './load.js'

const SLUG = 'bench-acme'
const ADA = 'ada@bench-acme.test'
const PASSWORD = 'bench board password'
const ms = (n: number) => `${n.toFixed(1)} ms`

/** A server on a free loopback port whose app is given once its own address is known. */
async function listenLate() {
  let handler: (req: Request) => Response | Promise<Response> = () => new Response(null)
  const server = serve({ fetch: (req) => handler(req), port: 0, hostname: '127.0.0.1' })
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    use: (app: { fetch: typeof handler }) => void (handler = (req) => app.fetch(req)),
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

/** The `name=value` pairs a response sets, as a Cookie header value. */
function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ')
}

export async function benchKit(): Promise<void> {
  await withScratchDatabase('fleetdeck_bench_kit', async (url) => {
    const handle = await openDatabase({ url, dataDir: '', poolSize: 10 })
    const fd = await listenLate()
    const tenantApp = await listenLate()
    const config = loadConfig(
      {
        FLEETDECK_SECRET_KEY: 'k'.repeat(40),
        NODE_ENV: 'test',
        FLEETDECK_DATA_DIR: '/tmp',
        PUBLIC_URL: fd.base,
        TENANT_MIGRATION_DIRS: 'examples/tenant-app/migrations',
      },
      () => {},
    )
    fd.use(createApp({ config, database: handle }))
    try {
      await migratePlatform(handle.db)
      const created = await createTenantRecord(
        handle.db,
        { actor: null },
        {
          slug: SLUG,
          name: 'Bench Acme',
          planId: 'professional',
          billingEmail: 'billing@bench-acme.test',
          firstAdminEmail: ADA,
          firstAdminName: 'Ada',
        },
      )
      if (!created.ok) throw new Error('bench tenant exists')
      const tenant = created.tenant
      await runOnboarding(handle.db, { actor: null }, tenant.id, {
        tenantMigrationDirs: config.tenantMigrationDirs,
      })
      await saveCredentials(boardOf(handle.db, SLUG), ADA, await hashPassword(PASSWORD))
      const [ada] = await findUsersByEmails(handle.db, [ADA])
      const key = generateAppKey()
      await insertAppKey(
        handle.db,
        {
          id: key.id,
          name: 'Bench',
          appUrl: tenantApp.base,
          secretHash: key.secretHash,
          createdBy: null,
        },
        new Date(),
      )
      const kitOptions: KitOptions = {
        fleetdeckUrl: fd.base,
        appKey: key.token,
        appUrl: tenantApp.base,
      }
      const cookieSecret = randomBytes(32).toString('hex')
      const flags = await connectFlags({ fleetdeckUrl: fd.base, appKey: key.token })
      tenantApp.use(
        createExampleApp({ kit: createKit(kitOptions), flags, db: handle.db, cookieSecret }),
      )
      const owner = await signedInOwner(handle.db)

      console.log(
        `\nTenant side: PostgreSQL, Fleetdeck and the example app on 127.0.0.1, the kit over HTTP`,
      )
      await kitOverhead(kitOptions, ada.id)
      await ofrepTimes(handle, fd.base, key.token, tenant.id)
      const handoff = handoffRunner(fd.base, owner.cookie, tenant.id, ada.id)
      await handoffTimes(fd.base, owner.cookie, handoff)
      await endToRefusal(fd.base, owner.cookie, handoff)
      await suspendToRefusal(fd.base, tenantApp.base, owner.cookie, tenant.id)
    } finally {
      await tenantApp.close()
      await fd.close()
      await handle.close()
    }
  })
}

/** The same one-line page with and without the kit's guards; the kit warm, revalidating, cold. */
async function kitOverhead(options: KitOptions, userId: string) {
  const bare = new Hono().get('/t/:slug/', (c) => c.text('board'))
  const guarded = (kit: Kit) => {
    const parts = fleetdeck(kit, {
      tenantSlug: (c) => c.req.param('slug'),
      cookieSecret: 'c'.repeat(32),
    })
    const app = new Hono<FleetdeckEnv>()
    app.use(
      '/t/:slug/*',
      parts.tenant,
      parts.requireMember(() => ({ userId })),
    )
    return app.get('/t/:slug/', (c) => c.text('board'))
  }
  // Every property read makes a new kit: each request starts with empty caches.
  const coldKit = new Proxy({} as Kit, {
    get: (_, property) => createKit(options)[property as keyof Kit],
  })
  const apps: [string, { fetch: (req: Request) => Response | Promise<Response> }][] = [
    ['no kit (baseline)', bare],
    ['kit, warm cache', guarded(createKit(options))],
    ['kit, revalidating (ETag → 304)', guarded(createKit({ ...options, cacheMs: 0 }))],
    ['kit, cold (no cache)', guarded(coldKit)],
  ]
  let baseline = { p50: 0, p95: 0 }
  for (const [label, app] of apps) {
    const server = await listenLate()
    server.use(app)
    const times = await latency(`${server.base}/t/${SLUG}/`, {}, 300, 30)
    await server.close()
    if (app === bare) baseline = times
    const extra =
      app === bare
        ? ''
        : `  → overhead p50 ${ms(times.p50 - baseline.p50)}, p95 ${ms(times.p95 - baseline.p95)}`
    console.log(`  ${label.padEnd(34)} p50 ${ms(times.p50)}  p95 ${ms(times.p95)}${extra}`)
  }
}

type Handoff = () => Promise<{ impersonationId: string; cookie: string; home: string; ms: number }>

/** "View as" → handoff → first page, over HTTP with the operator's session; returns the imp cookie. */
function handoffRunner(
  fdBase: string,
  ownerCookie: string,
  tenantId: string,
  userId: string,
): Handoff {
  return async () => {
    const started = performance.now()
    const start = await fetch(`${fdBase}/impersonations`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: ownerCookie,
        origin: fdBase,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        tenant: tenantId,
        user: userId,
        reason: 'Bench: customer reports a broken board',
        ticket: '',
        duration: '30',
        mode: 'read_only',
      }),
    })
    const handoffUrl = start.headers.get('location')
    if (start.status !== 303 || !handoffUrl) throw new Error(`View as answered ${start.status}`)
    const redeemed = await fetch(handoffUrl, { redirect: 'manual' })
    const cookie = cookiesOf(redeemed)
    const home = new URL(redeemed.headers.get('location') ?? '/', handoffUrl)
    const first = await fetch(home, { headers: { cookie } })
    if (first.status !== 200) throw new Error(`the app's first page answered ${first.status}`)
    await first.text()
    const ms = performance.now() - started
    const token = new URL(handoffUrl).searchParams.get('token')!
    return { impersonationId: String(decodeJwt(token).imp), cookie, home: home.href, ms }
  }
}

function endIn(fdBase: string, ownerCookie: string, id: string) {
  return fetch(`${fdBase}/impersonations/${id}/end`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: ownerCookie, origin: fdBase },
  })
}

async function handoffTimes(fdBase: string, ownerCookie: string, handoff: Handoff) {
  const times: number[] = []
  for (let i = 0; i < 20; i++) {
    const run = await handoff()
    times.push(run.ms)
    await endIn(fdBase, ownerCookie, run.impersonationId)
  }
  times.sort((a, b) => a - b)
  console.log(
    `  handoff, View as → the app's first page (HTTP)  median ${ms(percentile(times, 50))}  max ${ms(times[times.length - 1])} (20 runs)`,
  )
}

/** Milliseconds until `url` stops answering 200 with `cookie`, polled every 20 ms (≤ 10 s). */
async function untilRefused(url: string, cookie: string, since: number): Promise<number> {
  for (;;) {
    const res = await fetch(url, { headers: { cookie }, redirect: 'manual' })
    await res.arrayBuffer()
    if (res.status !== 200) return performance.now() - since
    if (performance.now() - since > 10_000) throw new Error(`${url} still answers 200 after 10 s`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function endToRefusal(fdBase: string, ownerCookie: string, handoff: Handoff) {
  const times: number[] = []
  for (let i = 0; i < 20; i++) {
    const run = await handoff()
    const since = performance.now()
    const ended = await endIn(fdBase, ownerCookie, run.impersonationId)
    if (ended.status !== 303) throw new Error(`End answered ${ended.status}`)
    times.push(await untilRefused(run.home, run.cookie, since))
  }
  report('End in the console → the app refuses', times)
}

/** Ada signs in to the app; the console suspends the tenant; the app refuses her; activate. */
async function suspendToRefusal(fdBase: string, appBase: string, ownerCookie: string, id: string) {
  const signIn = await fetch(`${appBase}/t/${SLUG}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: ADA, password: PASSWORD }),
  })
  const cookie = cookiesOf(signIn)
  if (signIn.status !== 303 || !cookie) throw new Error(`sign-in answered ${signIn.status}`)
  const board = `${appBase}/t/${SLUG}/`
  const console_ = { cookie: ownerCookie, origin: fdBase }
  const times: number[] = []
  for (let i = 0; i < 20; i++) {
    await untilAnswers(board, cookie)
    const since = performance.now()
    const suspended = await fetch(`${fdBase}/tenants/${id}/suspension`, {
      method: 'POST',
      redirect: 'manual',
      headers: console_,
    })
    if (suspended.status !== 303) throw new Error(`suspend answered ${suspended.status}`)
    times.push(await untilRefused(board, cookie, since))
    await fetch(`${fdBase}/tenants/${id}/suspension`, {
      method: 'DELETE',
      redirect: 'manual',
      headers: console_,
    })
  }
  report('suspend in the console → the app refuses', times)
}

/** Waits until `url` answers 200 again (after an activation reached the kit's cache). */
async function untilAnswers(url: string, cookie: string) {
  const since = performance.now()
  for (;;) {
    const res = await fetch(url, { headers: { cookie }, redirect: 'manual' })
    await res.arrayBuffer()
    if (res.status === 200) return
    if (performance.now() - since > 10_000) throw new Error(`${url} answers ${res.status} for 10 s`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

function report(label: string, times: number[]) {
  times.sort((a, b) => a - b)
  console.log(
    `  ${label.padEnd(44)} max ${ms(times[times.length - 1])}  median ${ms(percentile(times, 50))} (20 runs; the kit caches ≤ 5 s)`,
  )
}

/** Flags the OFREP section evaluates: every rule kind, as a small real product has. */
const OFREP_FLAGS = 20

/** OFREP bulk and single evaluation over loopback HTTP, against a same-run baseline. */
async function ofrepTimes(handle: DatabaseHandle, fdBase: string, token: string, tenantId: string) {
  for (let i = 0; i < OFREP_FLAGS; i++) {
    const rule = i % 4
    await createFlag(handle.db, {
      key: `bench-flag-${i}`,
      planValues: rule === 1 ? { professional: true } : {},
      rolloutPercentage: rule === 2 ? 30 : 0,
      rolloutValue: rule === 2 ? true : null,
      overrides: rule === 3 ? { [tenantId]: true } : {},
    })
  }
  const auth = { authorization: `Bearer ${token}` }
  const body = JSON.stringify({ context: { targetingKey: tenantId } })
  const post =
    (path: string, headers: Record<string, string> = {}) =>
    () =>
      fetch(`${fdBase}${path}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', ...headers },
        body,
      })
  const first = await post('/ofrep/v1/evaluate/flags')()
  const etag = first.headers.get('etag') ?? ''
  const answered = (await first.json()) as { flags: unknown[] }
  const runs: [string, () => Promise<Response>, number][] = [
    ['GET /healthz (baseline)', () => fetch(`${fdBase}/healthz`), 200],
    [
      'GET /kit/v1/tenants/:slug (baseline)',
      () => fetch(`${fdBase}/kit/v1/tenants/${SLUG}`, { headers: auth }),
      200,
    ],
    [`OFREP bulk, ${answered.flags.length} flags`, post('/ofrep/v1/evaluate/flags'), 200],
    [
      'OFREP bulk, If-None-Match → 304',
      post('/ofrep/v1/evaluate/flags', { 'if-none-match': etag }),
      304,
    ],
    ['OFREP one flag', post('/ofrep/v1/evaluate/flags/bench-flag-3'), 200],
  ]
  console.log(
    `\nOFREP (${OFREP_FLAGS} flags, warm: 30 calls first, then 300 sequential, fetch over loopback)`,
  )
  let baseline = 0
  for (const [label, call, status] of runs) {
    const times: number[] = []
    for (let i = 0; i < 330; i++) {
      const t0 = performance.now()
      const res = await call()
      await res.arrayBuffer()
      if (res.status !== status) throw new Error(`${label} answered ${res.status}`)
      if (i >= 30) times.push(performance.now() - t0)
    }
    times.sort((a, b) => a - b)
    const p50 = percentile(times, 50)
    if (!baseline) baseline = p50
    const ratio = label.startsWith('GET /healthz')
      ? ''
      : `  (${(p50 / baseline).toFixed(1)}× /healthz p50)`
    console.log(`  ${label.padEnd(38)} p50 ${ms(p50)}  p95 ${ms(percentile(times, 95))}${ratio}`)
  }
}
