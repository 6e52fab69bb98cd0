import { Hono } from 'hono'
import type { AppEnv } from '../web/env.js'

/** The dashboard at / (issue 10 item 2). */
export const dashboardRoutes = new Hono<AppEnv>()

// Until the dashboard lands, / still opens the tenants list.
dashboardRoutes.get('/', (c) => c.redirect('/tenants', 303))
