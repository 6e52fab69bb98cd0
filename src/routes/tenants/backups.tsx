import { Hono } from 'hono'
import type { AppEnv } from '../../web/env.js'

// Issue 11 — mounted in src/app.tsx; to be written by B (backups): /tenants/:id/backups.
export const tenantBackupRoutes = new Hono<AppEnv>()
