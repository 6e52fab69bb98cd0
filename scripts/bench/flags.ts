// `npm run bench -- --only-flags` (or `--flags` with the rest): feature-flag numbers (issue 9,
// "Numbers for the closing note").
//   1. In memory: µs per `resolveFlag` for one flag and one tenant, and for all of 50 flags of
//      one tenant (the kit snapshot and the tenant page do this), median of 15 rounds of
//      20,000 calls each (after a warm-up round).
//   2. PostgreSQL, --tenants tenants (bulkFleet): `/flags/:key` page time, p50/p95 of 100
//      sequential requests (bounded: 10 warm-up), on its first page, filtered by why, and on a
//      late page; statements per request; against `/tenants` measured in the same run, as ratio.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { sql } from 'kysely'
import { createApp } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import { openDatabase } from '../../src/db/database.js'
import { migratePlatform } from '../../src/db/migrate.js'
import {
  createFlag,
  setFlagPlanValues,
  setFlagRollout,
  setTenantOverride,
} from '../../src/flags/flag-changes.js'
import type { FlagValue } from '../../src/db/schema.js'
import { resolveFlag, type FlagDefinition, type FlagSubject } from '../../src/flags/resolve.js'
import { bulkFleet, signedInOwner, withScratchDatabase } from './fixtures.js'
import { get, latency } from './load.js'

export type FlagsBenchOptions = {
  tenants: number
  config: Config
  /** Statements sent so far by every pg client of this process (bench.ts counts them). */
  queries: () => number
}

const PLANS = ['free', 'professional', 'enterprise']
const ROUNDS = 15
const CALLS = 20_000
const ms = (n: number) => `${n.toFixed(1)} ms`

/** 50 flags with every kind of rule: rollouts over some plans, plan values, string variants. */
function syntheticFlags(): FlagDefinition[] {
  return Array.from({ length: 50 }, (_, i): FlagDefinition => {
    const string = i % 5 === 0
    const value = (n: number) => (string ? ['a', 'b', 'c'][n % 3] : n % 2 === 0)
    return {
      key: `bench-flag-${i}`,
      type: string ? 'string' : 'boolean',
      variants: string ? ['a', 'b', 'c'] : [],
      defaultValue: value(1),
      rolloutPercentage: i % 3 === 0 ? 0 : (i * 7) % 101,
      rolloutValue: value(0),
      rolloutPlanIds: i % 4 === 0 ? ['professional'] : [],
      planValues: (i % 2 === 0 ? { enterprise: value(0), free: value(1) } : {}) as Record<
        string,
        FlagValue
      >,
      archived: i === 49,
    }
  })
}

/** Median µs per call of `work` (one call = `per` resolutions reported as one). */
function microseconds(work: () => unknown): number {
  const rounds: number[] = []
  for (let r = 0; r <= ROUNDS; r++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < CALLS; i++) work()
    const us = Number(process.hrtime.bigint() - t0) / 1000 / CALLS
    if (r > 0) rounds.push(us) // round 0 warms the JIT up
  }
  rounds.sort((a, b) => a - b)
  return rounds[Math.floor(rounds.length / 2)]
}

function benchResolution() {
  const flags = syntheticFlags()
  const subject: FlagSubject = { tenantId: crypto.randomUUID(), planId: 'professional' }
  const overridden: FlagSubject = { ...subject, override: true }
  let sink = 0
  const one = microseconds(() => (sink += resolveFlag(flags[1], subject).value === true ? 1 : 0))
  const oneOverride = microseconds(() => resolveFlag(flags[1], overridden))
  const all = microseconds(() => {
    for (const flag of flags) sink += resolveFlag(flag, subject).why.length
  })
  console.log(`\nFlag resolution, in memory (median of ${ROUNDS} rounds × ${CALLS} calls)`)
  console.log(`  one flag, one tenant (rollout: sha256 bucket)   ${one.toFixed(2)} µs`)
  console.log(`  one flag, one tenant with an override           ${oneOverride.toFixed(2)} µs`)
  console.log(
    `  all 50 flags of one tenant                      ${all.toFixed(2)} µs  (sink ${sink % 7})`,
  )
}

async function listen(app: ReturnType<typeof createApp>) {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

async function benchFlagPage(options: FlagsBenchOptions) {
  await withScratchDatabase('fleetdeck_bench_flags', async (url) => {
    const handle = await openDatabase({ url, dataDir: '', poolSize: 10 })
    const server = await listen(createApp({ config: options.config, database: handle }))
    try {
      await migratePlatform(handle.db)
      await bulkFleet(handle.db, options.tenants, 4_000)
      const owner = await signedInOwner(handle.db)
      const ctx = { actor: null, requestId: 'bench' }
      const now = new Date()
      const key = 'drawings-beta'
      const flag = {
        key,
        description: 'bench',
        type: 'boolean' as const,
        variants: [],
        defaultValue: false,
      }
      await createFlag(handle.db, ctx, flag, now)
      await setFlagRollout(
        handle.db,
        ctx,
        key,
        { percentage: 10, planIds: ['professional'], value: true },
        PLANS,
        now,
      )
      await setFlagPlanValues(handle.db, ctx, key, { enterprise: true }, PLANS, now)
      const some = await sql<{
        id: string
      }>`select id from tenants order by slug limit 200`.execute(handle.db)
      for (const row of some.rows) await setTenantOverride(handle.db, ctx, key, row.id, true, now)
      await sql`analyze`.execute(handle.db)
      const headers = { cookie: owner.cookie }
      console.log(
        `\n/flags/:key, PostgreSQL, ${options.tenants} tenants, ${some.rows.length} overrides, 10 % rollout of Professional, an Enterprise plan value (100 sequential requests after 10)`,
      )
      const measure = async (label: string, path: string) => {
        const q0 = options.queries()
        const res = await get(server.base + path, headers)
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}`)
        const statements = options.queries() - q0
        const { p50, p95 } = await latency(server.base + path, headers, 100)
        console.log(
          `  ${label.padEnd(36)} p50 ${ms(p50)}   p95 ${ms(p95)}   ${statements} statements`,
        )
        return p50
      }
      const baseline = await measure('/tenants (baseline, same run)', '/tenants')
      const page = await measure(`/flags/${key}`, `/flags/${key}`)
      const why = await measure(`/flags/${key}?why=rollout`, `/flags/${key}?why=rollout`)
      const late = await measure(`/flags/${key}?page=30`, `/flags/${key}?page=30`)
      const fragment = async () => {
        const h = { ...headers, 'hx-request': 'true' }
        const { p50, p95 } = await latency(`${server.base}/flags/${key}?why=override`, h, 100)
        console.log(
          `  ${'filter swap (htmx, why=override)'.padEnd(36)} p50 ${ms(p50)}   p95 ${ms(p95)}`,
        )
      }
      await fragment()
      console.log(
        `  ratio to /tenants (p50)              page ${(page / baseline).toFixed(2)}×, why filter ${(why / baseline).toFixed(2)}×, page 30 ${(late / baseline).toFixed(2)}×`,
      )
    } finally {
      await server.close()
      await handle.close()
    }
  })
}

export async function benchFlags(options: FlagsBenchOptions): Promise<void> {
  benchResolution()
  await benchFlagPage(options)
}
