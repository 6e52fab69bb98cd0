import { Hono } from 'hono'
import type { AppEnv } from '../../web/env.js'

export const tenantPlanRoutes = new Hono<AppEnv>()
