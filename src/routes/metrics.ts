import { Hono } from 'hono'
import type { AppEnv } from '../web/env.js'

/** Prometheus exposition at /metrics (issue 10 item 4). */
export const metricsRoutes = new Hono<AppEnv>()
