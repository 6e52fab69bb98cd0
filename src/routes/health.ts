import { Hono } from 'hono'
import { pingDatabase } from '../db/health.js'
import type { AppEnv } from '../web/env.js'

/** Liveness and readiness for load balancers and the Docker HEALTHCHECK: no session needed. */
export const healthRoutes = new Hono<AppEnv>()

/** A probe that waits longer than this reports the database as unavailable. */
export const READY_PROBE_TIMEOUT_MS = 2_000

healthRoutes.get('/healthz', (c) => c.json({ status: 'ok' }))

healthRoutes.get('/readyz', async (c) => {
  const kind = c.var.deps.database.kind
  // A load balancer waits a few seconds at most: a database that hangs (a blackholed address,
  // a failover in progress) must read as unavailable, not as a probe that never answers.
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('probe timed out')), READY_PROBE_TIMEOUT_MS)
  })
  try {
    await Promise.race([pingDatabase(c.var.db), timeout])
    return c.json({ status: 'ready', database: kind })
  } catch {
    return c.json({ status: 'unavailable', database: kind }, 503)
  } finally {
    clearTimeout(timer)
  }
})
