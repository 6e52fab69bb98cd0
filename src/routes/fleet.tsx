import { Hono } from 'hono'
import type { AppEnv } from '../web/env.js'

// Issue 11 — mounted in src/app.tsx; to be written by H (schema health): /fleet and starting a check.
export const fleetRoutes = new Hono<AppEnv>()
