import { Hono } from 'hono'
import type { KitEnv } from './auth.js'

export const ofrepRoutes = new Hono<KitEnv>()
