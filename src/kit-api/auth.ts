import type { MiddlewareHandler } from 'hono'
import { appKeySecretMatches, parseAppKey } from '../auth/app-keys.js'
import { findUsableAppKey, touchAppKey } from '../db/app-keys.js'
import { hitRateLimitLightly } from '../db/rate-limits.js'
import type { AppEnv } from '../web/env.js'
import { clientIp } from '../web/request.js'
import { KitRefusal } from './errors.js'

/** What the kit API's handlers see: `c.var.appKey` is set for every handler behind requireAppKey. */
export type KitEnv = AppEnv

/** Calls one app key may make per minute: a busy app resolving hundreds of tenants every 5 s. */
export const KIT_CALLS_PER_MINUTE = 6000
/** Failed authentications one address may make per minute before it is refused outright. */
export const KIT_AUTH_FAILURES_PER_MINUTE = 30

/**
 * Authenticates a kit API call by its `Authorization: Bearer fdk_<id>.<secret>` app key
 * (RFC 6750 §2.1): 401 for a missing, malformed, unknown or revoked key, 429 past the key's rate
 * or after too many failures from one address (OWASP ASVS 5.0 §6.3.1). No cookies are read: the
 * kit API is not reachable with a console session, so it needs no CSRF defence.
 */
export const requireAppKey: MiddlewareHandler<KitEnv> = async (c, next) => {
  const db = c.var.db
  const now = c.var.now()
  const ipKey = `kit-auth:${clientIp(c) ?? 'unknown'}`
  const header = c.req.header('authorization') ?? ''
  const presented = /^Bearer (\S+)$/i.exec(header)?.[1]
  const parsed = presented ? parseAppKey(presented) : undefined
  const key = parsed && (await findUsableAppKey(db, parsed.id))
  if (!parsed || !key || !appKeySecretMatches(parsed.secret, key.secretHash)) {
    if ((await hitRateLimitLightly(db, ipKey, 60, now)) > KIT_AUTH_FAILURES_PER_MINUTE) {
      throw new KitRefusal(429, 'rate_limited', 'Too many failed authentications; wait a minute.')
    }
    c.header('WWW-Authenticate', 'Bearer realm="fleetdeck-kit"')
    throw new KitRefusal(
      401,
      'unauthorized',
      'A valid app key is required (Authorization: Bearer fdk_…).',
    )
  }
  if ((await hitRateLimitLightly(db, `kit:${key.id}`, 60, now)) > KIT_CALLS_PER_MINUTE) {
    c.header('Retry-After', String(60 - now.getUTCSeconds()))
    throw new KitRefusal(429, 'rate_limited', 'This app key made too many calls this minute.')
  }
  await touchAppKey(db, key.id, now)
  const { secretHash: _, ...appKey } = key
  c.set('appKey', appKey)
  await next()
}
