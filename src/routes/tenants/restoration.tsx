import { Hono } from 'hono'
import type { AppEnv } from '../../web/env.js'

// Issue 11 — mounted in src/app.tsx; to be written by D (deletion): /tenants/:id/restoration.
export const tenantRestorationRoutes = new Hono<AppEnv>()
