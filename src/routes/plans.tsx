import { Hono } from 'hono'
import type { AppEnv } from '../web/env.js'

export const planRoutes = new Hono<AppEnv>()
