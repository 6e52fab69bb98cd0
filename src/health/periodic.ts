import { hostname } from 'node:os'
import type { Config } from '../config.js'
import type { DatabaseHandle } from '../db/database.js'
import {
  foldHealthSamples,
  insertHealthSample,
  pruneHealthSamples,
  RAW_SECONDS,
} from '../db/health-samples.js'
import type { PeriodicTask } from '../jobs/scheduler.js'
import { createSampler } from './sampler.js'

/** The fold-and-prune task runs every 5 minutes, as often as a 5-minute row can complete. */
export const HEALTH_FOLD_INTERVAL_MS = 5 * 60_000

/**
 * The health panel's periodic work (issue 10 item 3): a sample every 10 s, stored in
 * health_samples, and every 5 minutes the fold of raw rows older than an hour and the prune of
 * rows older than 7 days. The scheduler's slot claim and advisory lock make one instance take
 * each sample, whichever instance that is.
 */
export function healthTasks(database: DatabaseHandle, config: Config): PeriodicTask[] {
  const sampler = createSampler({ database, config })
  const instance = `${hostname()}:${process.pid}`
  return [
    {
      name: 'health-sample',
      intervalMs: RAW_SECONDS * 1000,
      run: async () => insertHealthSample(database.db, { ...(await sampler.sample()), instance }),
    },
    {
      name: 'health-fold',
      intervalMs: HEALTH_FOLD_INTERVAL_MS,
      run: async () => {
        const now = new Date()
        const folded = await foldHealthSamples(database.db, now)
        const pruned = await pruneHealthSamples(database.db, now)
        return { ...folded, pruned }
      },
    },
  ]
}
