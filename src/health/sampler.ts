import { isAbsolute } from 'node:path'
import type { Config } from '../config.js'
import type { DatabaseHandle } from '../db/database.js'
import { listQueueDepths, readDataDirectory, readSchedulerLag } from '../db/health-stats.js'
import { HttpWindow, processHttpWindow } from '../observability/http-window.js'
import {
  cpuPercent,
  diskUsage,
  memoryPercent,
  readCpuTimes,
  type CpuTimes,
  type DiskUsage,
} from './collect-host.js'
import { collectHttp, collectNode, watchEventLoop } from './collect-process.js'
import { collectPostgres, poolMetrics, type CounterReading } from './collect-postgres.js'
import { collectRedis } from './collect-redis.js'
import { readJobQueue } from '../db/job-run-lists.js'
import { JOB_KINDS } from './metrics.js'

// One health sample: every collector once, into the flat key → number | null object stored in
// health_samples.metrics (keys in src/health/metrics.ts). The deltas (CPU, transactions per
// second, cache hit rate) need the previous reading of this process: a sampler keeps it, so the
// first sample of a process has them null.

export type HealthSample = { takenAt: Date; metrics: Record<string, number | null> }

export type Sampler = {
  /** Reads every metric now. Never throws for one collector: its metrics are null instead. */
  sample(): Promise<HealthSample>
}

export type SamplerOptions = {
  database: DatabaseHandle
  config: Pick<Config, 'dataDir' | 'databaseUrl' | 'redisUrl'>
  /** The clock, in milliseconds since the epoch. */
  now?: () => number
  http?: HttpWindow
}

const LOCAL_HOSTS = new Set(['', 'localhost', '127.0.0.1', '::1', '[::1]'])

/**
 * The directory whose filesystem host.disk_* describe: PGlite's data dir; PostgreSQL's
 * `data_directory` when the server runs on this host and the role may read the setting;
 * otherwise undefined (the page says why).
 */
export async function dataDirectoryOf(
  database: DatabaseHandle,
  config: SamplerOptions['config'],
): Promise<string | undefined> {
  if (database.kind === 'pglite')
    return config.dataDir.startsWith('memory://') ? undefined : config.dataDir
  if (!config.databaseUrl) return undefined
  const url = new URL(config.databaseUrl)
  const host = url.hostname || new URLSearchParams(url.search).get('host') || ''
  if (!LOCAL_HOSTS.has(host) && !host.startsWith('/')) return undefined
  const dir = await readDataDirectory(database.db)
  return dir && isAbsolute(dir) ? dir : undefined
}

function diskMetrics(disk: DiskUsage | undefined): Record<string, number | null> {
  return {
    'host.disk_percent': disk?.percent ?? null,
    'host.disk_used_bytes': disk?.usedBytes ?? null,
    'host.disk_size_bytes': disk?.sizeBytes ?? null,
  }
}

function nullsFor(keys: string[]): Record<string, null> {
  return Object.fromEntries(keys.map((k) => [k, null]))
}

/** A sampler over `database`; keep one per process so the deltas have their previous reading. */
export function createSampler(options: SamplerOptions): Sampler {
  const { database, config } = options
  const now = options.now ?? Date.now
  const http = options.http ?? processHttpWindow
  watchEventLoop()
  let cpu: CpuTimes | undefined = readCpuTimes()
  let counters: CounterReading | undefined
  let dataDir: Promise<string | undefined> | undefined

  async function jobs(at: Date) {
    const [queue, jobQueue] = await Promise.all([
      listQueueDepths(database.db, at),
      readJobQueue(database.db),
    ])
    const depths = new Map(queue.map((d) => [d.kind, d]))
    const metrics: Record<string, number | null> = {
      'jobs.items_pending': jobQueue.itemsPending,
      'jobs.backup_queue_depth': jobQueue.backupQueueDepth,
    }
    // Every known kind is written, 0 when nothing waits: an empty queue is a measured zero.
    for (const kind of new Set<string>([...JOB_KINDS, ...depths.keys()])) {
      metrics[`jobs.${kind}.depth`] = depths.get(kind)?.depth ?? 0
      metrics[`jobs.${kind}.oldest_pending_seconds`] = depths.get(kind)?.oldestPendingSeconds ?? 0
    }
    return metrics
  }

  async function scheduler(at: Date) {
    const lag = await readSchedulerLag(database.db, at)
    return {
      'scheduler.lag_1m_seconds': lag.lastMinute,
      'scheduler.lag_10m_seconds': lag.last10Minutes,
    }
  }

  async function postgres(nowMs: number) {
    const { metrics, reading } = await collectPostgres(database, counters, nowMs)
    counters = reading
    return metrics
  }

  async function host() {
    const current = readCpuTimes()
    const busy = cpuPercent(cpu, current)
    cpu = current
    dataDir ??= dataDirectoryOf(database, config).catch(() => undefined)
    return {
      'host.cpu_percent': busy,
      'host.memory_percent': memoryPercent(),
      ...diskMetrics(diskUsage(await dataDir)),
    }
  }

  return {
    async sample() {
      const nowMs = now()
      const takenAt = new Date(nowMs)
      // Before any query of ours takes a connection.
      const pool = poolMetrics(database)
      const guard = <T extends Record<string, number | null>>(p: Promise<T>, keys: string[]) =>
        p.catch(() => nullsFor(keys) as Record<string, number | null>)
      const parts = await Promise.all([
        guard(postgres(nowMs), ['pg.database_bytes']),
        guard(jobs(takenAt), ['jobs.items_pending', 'jobs.backup_queue_depth']),
        guard(scheduler(takenAt), ['scheduler.lag_1m_seconds', 'scheduler.lag_10m_seconds']),
        host(),
        config.redisUrl ? collectRedis(config.redisUrl) : Promise.resolve({}),
      ])
      const metrics = Object.assign(
        pool,
        collectHttp(http, nowMs),
        collectNode(),
        ...parts,
      ) as Record<string, number | null>
      return { takenAt, metrics }
    },
  }
}
