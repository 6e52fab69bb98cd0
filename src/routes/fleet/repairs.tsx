import { Hono } from 'hono'
import type { AppEnv } from '../../web/env.js'

// Issue 11 — mounted in src/app.tsx; to be written by R (repair): repairs under /fleet.
export const fleetRepairRoutes = new Hono<AppEnv>()
