import { Hono } from 'hono'
import { publicJwks } from '../auth/signing-keys.js'
import type { AppEnv } from '../web/env.js'

/**
 * The public keys tenant apps verify impersonation handoffs with (issue 8; RFC 7517 §5). Public
 * key material: no session, and answered outside the operator IP allowlist (web/ip-guard.ts).
 */
export const jwksRoutes = new Hono<AppEnv>()

/** Seconds a verifier may reuse the document: a rotated-in key is seen within a minute. */
export const JWKS_MAX_AGE_SECONDS = 60

jwksRoutes.get('/.well-known/jwks.json', async (c) => {
  const jwks = await publicJwks(c.var.db, c.var.now())
  return c.json(jwks, 200, { 'Cache-Control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` })
})
