import { Hono } from 'hono'
import type { AppEnv } from '../web/env.js'

/** System health at /system (issue 10 item 3). */
export const systemRoutes = new Hono<AppEnv>()
