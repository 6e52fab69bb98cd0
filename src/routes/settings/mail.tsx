import { Hono } from 'hono'
import type { AppEnv } from '../../web/env.js'

/** The SaaS email relay and its test mail (issue 10 item 6). */
export const mailSettingsRoutes = new Hono<AppEnv>()
