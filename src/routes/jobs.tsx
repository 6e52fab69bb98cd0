import { Hono } from 'hono'
import type { AppEnv } from '../web/env.js'

// Issue 11 — mounted in src/app.tsx; to be written by J (jobs): /jobs, /jobs/:id and the run's verbs.
export const jobRoutes = new Hono<AppEnv>()
