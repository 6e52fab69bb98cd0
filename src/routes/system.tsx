import { Hono, type Context } from 'hono'
import { roleCan } from '../auth/permissions.js'
import type { DatabaseHandle } from '../db/database.js'
import { listCitusNodes, listLocalTenantSchemas } from '../fleet/citus.js'
import { findLatestHealthSample, RAW_KEPT_MS } from '../db/health-samples.js'
import { readRecentSamples } from '../health/history.js'
import { getThresholdOverrides } from '../db/health-thresholds.js'
import { effectiveThresholds } from '../health/metrics.js'
import { buildPanel, statusLine } from '../health/panel.js'
import { createSampler, type Sampler } from '../health/sampler.js'
import type { CitusSectionProps } from '../views/system/citus-section.js'
import { SystemFragment, SystemPage, type SystemPageProps } from '../views/system/system-page.js'
import type { AppEnv } from '../web/env.js'
import { requirePermission } from '../web/guards.js'
import { pageOrFragment, wantsFragment } from '../web/render.js'

/** A stored sample older than this (ms) is stale: the page takes its own (not stored). */
export const FRESH_SAMPLE_MS = 30_000

/** System health at /system (issue 10 item 3): the page, and the panel its poll swaps. */
export const systemRoutes = new Hono<AppEnv>()

/**
 * How long a sample the page took itself serves every viewer and poll, in milliseconds: with
 * the stored samples stale (scheduler stopped or behind: when things are already bad), ten
 * open panels must not each run every collector every 10 s.
 */
export const PAGE_SAMPLE_REUSE_MS = 10_000

// One page sampler per database: its CPU and counter deltas then span two page loads. Its
// latest sample (or the one being taken) is shared until PAGE_SAMPLE_REUSE_MS old.
const pageSamplers = new WeakMap<
  DatabaseHandle,
  { sampler: Sampler; latest?: { at: number; sample: ReturnType<Sampler['sample']> } }
>()

function pageSample(c: Context<AppEnv>): ReturnType<Sampler['sample']> {
  const { database, config, now } = c.var.deps
  let entry = pageSamplers.get(database)
  if (!entry)
    pageSamplers.set(database, (entry = { sampler: createSampler({ database, config, now }) }))
  const at = c.var.now().getTime()
  if (entry.latest && at - entry.latest.at >= 0 && at - entry.latest.at < PAGE_SAMPLE_REUSE_MS)
    return entry.latest.sample
  const sample = entry.sampler.sample()
  const latest = { at, sample }
  entry.latest = latest
  // A failed sample is not kept: the next request tries again.
  sample.catch(() => {
    if (entry.latest === latest) entry.latest = undefined
  })
  return sample
}

/**
 * The Citus section: the detection made at start, and the nodes' sizes and local schemas read
 * now (off Citus nothing is queried). Only the page asks; the 10 s poll would make every worker
 * size its shards each time.
 */
async function citusProps(database: DatabaseHandle): Promise<CitusSectionProps> {
  const embedded = database.kind === 'pglite'
  if (!database.citus) return { citus: null, embedded, nodes: [], localTenantSchemas: 0 }
  const [nodes, local] = await Promise.all([
    listCitusNodes(database.db),
    listLocalTenantSchemas(database.db),
  ])
  return { citus: database.citus, embedded, nodes, localTenantSchemas: local.length }
}

async function systemProps(c: Context<AppEnv>): Promise<SystemPageProps> {
  const { db, deps } = c.var
  const now = c.var.now()
  const [latest, history, overrides] = await Promise.all([
    findLatestHealthSample(db),
    readRecentSamples(db, new Date(now.getTime() - RAW_KEPT_MS)),
    getThresholdOverrides(db),
  ])
  const fresh = latest && Math.abs(now.getTime() - latest.takenAt.getTime()) <= FRESH_SAMPLE_MS
  const sample = fresh ? latest : await pageSample(c)
  const embedded = deps.database.kind === 'pglite'
  const model = buildPanel({
    sample,
    history,
    thresholds: effectiveThresholds(overrides),
    embedded,
    redis: deps.config.redisUrl !== undefined,
    now,
  })
  return {
    model,
    live: !fresh,
    instance: fresh ? latest.instance : undefined,
    ageSeconds: Math.max(0, Math.round((now.getTime() - sample.takenAt.getTime()) / 1000)),
    embedded,
    status: statusLine(model),
    grafanaUrl: deps.config.grafanaUrl,
    canEditThresholds: roleCan(c.var.operator.role, 'saas.settings.edit'),
  }
}

systemRoutes.get('/', requirePermission('saas.system.view'), async (c) => {
  const props = await systemProps(c)
  // The poll swaps only the panel; the Citus section is read when the page loads.
  const citus = wantsFragment(c) ? undefined : await citusProps(c.var.deps.database)
  return pageOrFragment(
    c,
    () => <SystemFragment {...props} />,
    () => <SystemPage {...props} citus={citus} />,
    { title: 'System health' },
  )
})
