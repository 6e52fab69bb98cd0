import { Hono } from 'hono'
import type { AppEnv } from '../../web/env.js'

/** The licence key (issue 10 item 6). */
export const licenceSettingsRoutes = new Hono<AppEnv>()
