import { Hono } from 'hono'
import type { AppEnv } from '../web/env.js'

/** `/billing` (issue 12 item 4): revenue per currency, movements, churn, dunning, renewals. */
export const billingRoutes = new Hono<AppEnv>()
