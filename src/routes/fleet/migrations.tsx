import { Hono } from 'hono'
import type { AppEnv } from '../../web/env.js'

// Issue 11 — mounted in src/app.tsx; to be written by M (fleet migrations): /fleet/migrations.
export const fleetMigrationRoutes = new Hono<AppEnv>()
