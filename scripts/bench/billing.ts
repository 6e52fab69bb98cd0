// `npm run bench -- --billing` (or `--only-billing`): issue 12's numbers for the closing note.
//   1. Webhook ingestion through the real POST /webhooks/stripe (app.request in process, each
//      event signed at delivery, one at a time), on PostgreSQL and on PGlite: events/s and the
//      p50/p95 handling time per event, against a bare endpoint in the same run that only checks
//      the signature with the same SDK call and inserts the event (the floor any ledger pays).
//      The events are the demo's (src/demo/demo-billing-events.ts): --billing-events of them
//      (default 5,000), oldest first, over a few hundred bulk-made tenants.
//   2. Reprocessing that ledger (reprocessLedger): seconds and events/s.
//   3. /billing server time p50/p95 (app.request, 40 after 5 warm-up) on PostgreSQL with
//      --tenants tenants, each with a subscription, 24 monthly invoices and its MRR movements,
//      bulk-inserted with SQL, then ANALYZE.
// Not a test: nothing here asserts.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { sql } from 'kysely'
import { createApp } from '../../src/app.js'
import { reprocessLedger } from '../../src/billing/reprocess.js'
import { stripeWebhooks } from '../../src/billing/stripe-client.js'
import type { RequestTarget } from '../../src/billing/stripe-delivery.js'
import type { Config } from '../../src/config.js'
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js'
import { migratePlatform } from '../../src/db/migrate.js'
import { DEMO_STRIPE_WEBHOOK_SECRET, deliverStripeEvents } from '../../src/demo/demo-billing.js'
import { generateDemoBillingEvents } from '../../src/demo/demo-billing-events.js'
import { loadBillingProjection } from './billing-fixtures.js'
import { bulkFleet, signedInOwner, withScratchDatabase } from './fixtures.js'
import { percentile } from './load.js'

export type BillingBenchOptions = { tenants: number; events: number; config: Config }

const ms = (n: number) => `${n.toFixed(1)} ms`
const SECRET = DEMO_STRIPE_WEBHOOK_SECRET

function spread(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b)
  return `p50 ${ms(percentile(sorted, 50))}  p95 ${ms(percentile(sorted, 95))}`
}

/** The floor: the same SDK signature check, then one insert of the event, nothing else. */
function createBaselineWebhook(handle: DatabaseHandle) {
  const app = new Hono()
  app.post('/webhooks/stripe', async (c) => {
    const raw = await c.req.text()
    const event = stripeWebhooks.constructEvent(raw, c.req.header('stripe-signature') ?? '', SECRET)
    await sql`insert into bench_baseline_events (id, type, payload)
      values (${event.id}, ${event.type}, ${raw}::jsonb) on conflict do nothing`.execute(handle.db)
    return c.json({ received: true })
  })
  return app
}

async function demoEvents(handle: DatabaseHandle, count: number) {
  const { rows } = await sql<{ id: string; name: string; planId: string; billingEmail: string }>`
    select id, name, plan_id as "planId", billing_email as "billingEmail" from tenants
    where status in ('active', 'suspended') order by created_at`.execute(handle.db)
  return generateDemoBillingEvents(rows, { now: new Date() }).slice(0, count)
}

async function measureIngest(label: string, handle: DatabaseHandle, options: BillingBenchOptions) {
  await migratePlatform(handle.db)
  // ~11 events per tenant: 4 in 6 live (bulkFleet), 85 % of them customers.
  await bulkFleet(handle.db, Math.ceil(options.events / 10), 500)
  await sql`create table bench_baseline_events (id text primary key, type text not null,
    payload jsonb not null)`.execute(handle.db)
  const events = await demoEvents(handle, options.events)
  const target = (app: { request: RequestTarget['request'] }): RequestTarget => ({
    request: (path, init) => app.request(path, init),
  })
  const baseline = createBaselineWebhook(handle)
  const config = { ...options.config, stripeWebhookSecret: SECRET }
  const app = createApp({ config, database: handle, observe: false })

  let started = performance.now()
  const floor = await deliverStripeEvents(target(baseline), events, {
    secret: SECRET,
    concurrency: 1,
  })
  const floorSeconds = (performance.now() - started) / 1000
  started = performance.now()
  const real = await deliverStripeEvents(target(app), events, { secret: SECRET, concurrency: 1 })
  const realSeconds = (performance.now() - started) / 1000
  const ledger = await sql<{ failed: number }>`
    select count(*) filter (where error is not null)::int as failed from stripe_events`.execute(
    handle.db,
  )
  const reprocess = await reprocessLedger(handle.db)

  console.log(`\nBilling webhooks, ${label}: ${events.length} demo events, one at a time`)
  console.log(
    `  POST /webhooks/stripe    ${(events.length / realSeconds).toFixed(0)} events/s   ${spread(real)}` +
      `   (${ledger.rows[0]!.failed} failed to process)`,
  )
  console.log(
    `  bare verify + insert     ${(events.length / floorSeconds).toFixed(0)} events/s   ${spread(floor)}` +
      `   → the endpoint takes ${(realSeconds / floorSeconds).toFixed(1)}× the floor`,
  )
  console.log(
    `  reprocess the ledger     ${reprocess.seconds.toFixed(1)} s   ` +
      `${(reprocess.processed / reprocess.seconds).toFixed(0)} events/s (${reprocess.processed} events, ${reprocess.failed} failed)`,
  )
}

async function measurePage(handle: DatabaseHandle, options: BillingBenchOptions) {
  await migratePlatform(handle.db)
  await bulkFleet(handle.db, options.tenants, 20_000)
  const counts = await loadBillingProjection(handle.db, { months: 24 })
  const { cookie } = await signedInOwner(handle.db)
  const app = createApp({ config: options.config, database: handle, observe: false })
  const times: number[] = []
  let bytes = 0
  for (let i = 0; i < 45; i++) {
    const t0 = performance.now()
    const res = await app.request('/billing', { headers: { cookie } })
    if (res.status !== 200) throw new Error(`/billing answered ${res.status}`)
    bytes = (await res.text()).length
    if (i >= 5) times.push(performance.now() - t0)
  }
  console.log(
    `\n/billing, PostgreSQL: ${options.tenants} tenants, ${counts.subscriptions} subscriptions, ` +
      `${counts.invoices} invoices, ${counts.movements} movements`,
  )
  console.log(`  server time              ${spread(times)}   (${(bytes / 1024).toFixed(0)} KB)`)
}

/** Prints ingestion and reprocess on PostgreSQL and PGlite, then /billing on PostgreSQL. */
export async function benchBilling(options: BillingBenchOptions): Promise<void> {
  await withScratchDatabase('fleetdeck_bench_billing', async (url) => {
    const handle = await openDatabase({ url, dataDir: '', poolSize: 10 })
    try {
      await measureIngest('PostgreSQL', handle, options)
    } finally {
      await handle.close()
    }
  })
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-billing-'))
  try {
    const handle = await openDatabase({ url: undefined, dataDir: dir })
    try {
      await measureIngest('embedded PGlite', handle, options)
    } finally {
      await handle.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  await withScratchDatabase('fleetdeck_bench_billing_page', async (url) => {
    const handle = await openDatabase({ url, dataDir: '', poolSize: 10 })
    try {
      await measurePage(handle, options)
    } finally {
      await handle.close()
    }
  })
}
