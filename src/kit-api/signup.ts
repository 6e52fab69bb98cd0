import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { listPlans } from '../db/plans.js'
import { hitRateLimit } from '../db/rate-limits.js'
import { getCachedSignupSettings } from '../db/signup-settings.js'
import { signupOffer, signUpTenant } from '../tenancy/self-service-signup.js'
import { auditContext } from '../web/request.js'
import type { KitEnv } from './auth.js'
import { KitRefusal, kitProblem } from './errors.js'
import { emailField, readJson, revalidatableJson } from './http.js'

// Self-service signup for tenant apps (issue 10 item 6, PROTOCOL.md "Signup"): whether the app
// may show its signup page and on which plan, and the signup itself.

/** Signups one app key may make per hour: a launch day's rush, not a script's. */
export const SIGNUPS_PER_HOUR_PER_KEY = 200
/** Signups one address (the signer-up's, as the app reports it) may make per hour. */
export const SIGNUPS_PER_HOUR_PER_ADDRESS = 10
/**
 * Self-service signups per UTC day across every app key: each builds a tenant schema, and one
 * PostgreSQL server holds about 2,000 (DESIGN.md §3), so a leaked or looping key must not fill
 * it in a day. A real launch past this asks an operator to raise it.
 */
export const SIGNUPS_PER_DAY_ALL_KEYS = 500

/**
 * The rate-limit key of a signer-up's address: IPv4 as is (an IPv4-mapped IPv6 address as its
 * IPv4), IPv6 by its /64 — one household or host gets a whole /64, and each spelling of an
 * address (`::1`, `0:0::1`) must count as one.
 */
export function signupAddressKey(ip: string): string {
  if (ip.includes('.')) return ip.slice(ip.lastIndexOf(':') + 1)
  const [head, tail = ''] = ip.toLowerCase().split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`
}

const plainText = (what: string) =>
  z
    .string({ error: `Give ${what}.` })
    .trim()
    .min(1, { error: `Give ${what}.` })
    .max(200, { error: 'Use at most 200 characters.' })
    .regex(/^\P{Cc}*$/u, { error: 'Use no control characters.' })

const signupBody = z.object({
  slug: z
    .string({ error: 'Give a slug.' })
    .trim()
    .regex(/^[a-z][a-z0-9-]{1,38}$/, {
      error: 'Use 2–39 lowercase letters, digits or dashes, starting with a letter.',
    }),
  name: plainText('the workspace’s name'),
  ownerName: plainText('your name'),
  ownerEmail: emailField,
  ip: z.union([z.ipv4(), z.ipv6()], { error: 'Give an IPv4 or IPv6 address.' }).optional(),
})

/** Mounted at `/kit/v1`: `GET /signup` and `POST /signups`. */
export const kitSignupRoutes = new Hono<KitEnv>()

kitSignupRoutes.get('/signup', async (c) => {
  const settings = await getCachedSignupSettings(c.var.db, c.var.now().getTime())
  const offer = signupOffer(settings, await listPlans(c.var.db))
  const defaultPlan = offer.plan ? { id: offer.plan.id, name: offer.plan.name } : null
  return revalidatableJson(c, { open: offer.open, defaultPlan })
})

kitSignupRoutes.post('/signups', async (c) => {
  const body = await readJson(c, signupBody)
  await limitSignups(c, body.ip)
  const result = await signUpTenant(
    c.var.db,
    auditContext(c),
    { ...body, via: c.var.appKey.name },
    { now: c.var.now(), tenantMigrationDirs: c.var.deps.config.tenantMigrationDirs },
  )
  if (!result.ok && result.reason === 'signup_closed')
    throw new KitRefusal(403, 'signup_closed', 'Public signup is closed.')
  if (!result.ok)
    throw new KitRefusal(422, 'slug_taken', 'This slug is taken (deleted tenants keep theirs).', {
      errors: [{ path: 'slug', message: 'This address is taken; choose another.' }],
    })
  const { tenant, plan, onboarding } = result
  const view = {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    status: tenant.status,
    plan: { id: plan.id, name: plan.name },
  }
  if (onboarding.ok) return c.json({ tenant: view }, 201)
  // The tenant exists but failed a step: operators see it on /tenants with Retry; its slug is taken.
  return kitProblem(c, 503, 'onboarding_failed', 'The workspace could not be set up yet.', {
    tenant: view,
  })
})

/**
 * Counts the signup against its app key, the day's signups of every key and, when the app sent
 * one, the signer-up's address (by signupAddressKey); 429 past any of the limits. Without `ip` only the key's limit applies: the request's own
 * address is the app's, shared by all its visitors. The address is as honest as the app, which
 * holds a key an owner issued.
 */
async function limitSignups(c: Context<KitEnv>, address: string | undefined) {
  const now = c.var.now()
  const [byKey, byAddress, allKeys] = await Promise.all([
    hitRateLimit(c.var.db, `kit-signup:${c.var.appKey.id}`, 3600, now),
    address ? hitRateLimit(c.var.db, `kit-signup-ip:${signupAddressKey(address)}`, 3600, now) : 0,
    hitRateLimit(c.var.db, 'kit-signup-all', 86_400, now),
  ])
  const seconds = Math.floor(now.getTime() / 1000)
  if (allKeys > SIGNUPS_PER_DAY_ALL_KEYS) {
    c.header('Retry-After', String(86_400 - (seconds % 86_400)))
    throw new KitRefusal(429, 'rate_limited', 'Too many signups today; try again tomorrow.')
  }
  if (byKey <= SIGNUPS_PER_HOUR_PER_KEY && byAddress <= SIGNUPS_PER_HOUR_PER_ADDRESS) return
  c.header('Retry-After', String(3600 - (seconds % 3600)))
  throw new KitRefusal(429, 'rate_limited', 'Too many signups this hour; try again later.')
}
