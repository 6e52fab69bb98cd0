import { Hono } from 'hono'
import type { AppEnv } from '../../web/env.js'

/** Signing key and super-admin secret rotation (issue 10 item 6). */
export const keySettingsRoutes = new Hono<AppEnv>()
