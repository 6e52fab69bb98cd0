import { Hono } from 'hono'
import { pingDatabase } from '../db/health.js'
import type { AppEnv } from '../web/env.js'

/** Liveness and readiness for load balancers and the Docker HEALTHCHECK: no session needed. */
export const healthRoutes = new Hono<AppEnv>()

healthRoutes.get('/healthz', (c) => c.json({ status: 'ok' }))

healthRoutes.get('/readyz', async (c) => {
  try {
    await pingDatabase(c.var.db)
    return c.json({ status: 'ready', database: c.var.deps.database.kind })
  } catch {
    return c.json({ status: 'unavailable', database: c.var.deps.database.kind }, 503)
  }
})
