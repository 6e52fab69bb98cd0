import { Hono } from 'hono'
import type { AppEnv } from '../../web/env.js'

// Issue 11 — mounted in src/app.tsx; to be written by B (backups): /fleet/backups.
export const fleetBackupRoutes = new Hono<AppEnv>()
