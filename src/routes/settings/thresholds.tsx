import { Hono } from 'hono'
import type { AppEnv } from '../../web/env.js'

/** Health thresholds (issue 10 item 3). */
export const thresholdSettingsRoutes = new Hono<AppEnv>()
