import { Hono } from 'hono'
import { z } from 'zod'
import { recordReportedSignIn } from '../people/sign-ins.js'
import type { KitEnv } from './auth.js'
import { emailField, readJson } from './http.js'

const noControl = /^\P{Cc}*$/u

const signInBody = z.object({
  tenant: z.string({ error: 'Give the tenant’s slug.' }).min(1).max(100),
  email: emailField,
  outcome: z.enum(['succeeded', 'failed', 'refused'], {
    error: 'Choose succeeded, failed or refused.',
  }),
  detail: z.string().max(200).regex(noControl, { error: 'Use no control characters.' }).optional(),
  ip: z.union([z.ipv4(), z.ipv6()], { error: 'Give an IPv4 or IPv6 address.' }).optional(),
  // Browsers send long ones; what the user page shows is the first 400 characters.
  userAgent: z
    .string()
    .max(2000)
    .transform((ua) => ua.slice(0, 400))
    .optional(),
})

/** Mounted at `/kit/v1/sign-ins`: tenant users' sign-in attempts (PROTOCOL.md). */
export const kitSignInRoutes = new Hono<KitEnv>()

kitSignInRoutes.post('/', async (c) => {
  const body = await readJson(c, signInBody)
  const result = await recordReportedSignIn(c.var.db, body, c.var.now())
  return c.json(result, 202)
})
