import type { Context, MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { isAllowed } from '../auth/ip-allowlist.js'
import { appendAuditEntry } from '../db/audit-log.js'
import { hitRateLimit } from '../db/rate-limits.js'
import { getCachedGlobalAllowlist } from '../db/settings.js'
import type { AppEnv } from './env.js'
import { auditContext, clientIp } from './request.js'

/**
 * Paths that answer without the allowlist: health probes and static assets carry no data, and
 * the JWKS is public key material that tenant apps fetch from their own addresses (issue 8).
 */
// The kit API is called by tenant apps from their own servers, authenticated by app keys.
// /metrics is scraped by Prometheus, which is on no operator's allowlist: it has its own guard
// (METRICS_TOKEN, or loopback only; src/routes/metrics.ts). Stripe posts webhooks from its own
// addresses: the signature over the body is their authentication (src/webhooks/stripe.ts).
const OPEN_PATHS =
  /^\/(healthz|readyz|metrics|\.well-known\/jwks\.json|webhooks\/stripe)$|^\/(public|kit\/v1|ofrep\/v1)\//

/**
 * Refuses an address outside the global allowlist before any other work, on every route but
 * the health probes, static files, the JWKS and the kit API — /login included (issue #3). An empty list allows all.
 * The list comes from memory (db/settings.ts: changes here apply at once, elsewhere within 5 s).
 */
export const enforceGlobalAllowlist: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (OPEN_PATHS.test(c.req.path)) return next()
  const allowlist = await getCachedGlobalAllowlist(c.var.db, c.var.now().getTime())
  if (!isAllowed(allowlist, clientIp(c))) await refuseAddress(c, 'global')
  await next()
}

/**
 * Audits the refusal (at most once a minute per address, so a blocked client cannot flood the
 * audit log) and answers 403.
 * @throws HTTPException 403, always
 */
export async function refuseAddress(c: Context<AppEnv>, list: 'global' | 'admin'): Promise<never> {
  const ip = clientIp(c)
  const now = c.var.now()
  if ((await hitRateLimit(c.var.db, `ip-refused-audit:${ip ?? 'unknown'}`, 60, now)) === 1) {
    await c.var.db.transaction().execute((trx) =>
      appendAuditEntry(
        trx,
        auditContext(c),
        {
          action: 'security.ip_refused',
          targetType: 'address',
          targetId: ip,
          after: { ip, list, method: c.req.method, path: c.req.path.slice(0, 200) },
        },
        now,
      ),
    )
  }
  throw new HTTPException(403, {
    message: `Your address (${ip ?? 'unknown'}) is not on the allowlist.`,
  })
}
