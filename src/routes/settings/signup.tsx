import { Hono } from 'hono'
import type { AppEnv } from '../../web/env.js'

/** Public signup and the default plan (issue 10 item 6). */
export const signupSettingsRoutes = new Hono<AppEnv>()
