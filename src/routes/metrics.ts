import { createHash, timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { Hono } from 'hono'
import type { Config } from '../config.js'
import type { AppEnv } from '../web/env.js'

/** Prometheus exposition at /metrics (issue 10 item 4). */
export const metricsRoutes = new Hono<AppEnv>()

/** True for 127.0.0.0/8, ::1 and their IPv4-mapped form: the peer is on this host. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)
}

/** Compares two strings in time that does not depend on where they differ (both hashed first). */
export function tokensMatch(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest()
  return timingSafeEqual(digest(given), digest(expected))
}

/**
 * Why this configuration may not fall back to loopback scrapers, or undefined when it may. A
 * loopback peer proves nothing when a reverse proxy may sit on this host (TRUST_PROXY not
 * `false`: nginx's default proxy_pass adds no X-Forwarded-For, so every outside request arrives
 * from 127.0.0.1 without a forwarding header), when the console has a public name (PUBLIC_URL
 * set: it is served to the world, through a proxy or not), or in production.
 */
export function loopbackScrapingRefused(
  config: Pick<Config, 'trustProxy' | 'publicUrlExplicit' | 'env'>,
): string | undefined {
  if (config.trustProxy !== 'false') return 'TRUST_PROXY is set'
  if (config.publicUrlExplicit) return 'PUBLIC_URL is set'
  if (config.env === 'production') return 'NODE_ENV is production'
  return undefined
}

/**
 * Who may scrape. Answers itself (plain text, not the HTML error page: the caller is a scraper).
 * With METRICS_TOKEN: `Authorization: Bearer <token>` (RFC 6750), else 401 with
 * `WWW-Authenticate: Bearer`. Without: 403 whenever `loopbackScrapingRefused` names a reason
 * (the body says to set METRICS_TOKEN); otherwise only a loopback peer that came through no
 * proxy — a forwarding header means "from outside" and is refused.
 */
export const requireMetricsAccess: MiddlewareHandler<AppEnv> = async (c, next) => {
  const config = c.var.deps.config
  const token = config.metricsToken
  if (token) {
    const [scheme, given] = (c.req.header('authorization') ?? '').split(' ')
    if (scheme?.toLowerCase() !== 'bearer' || !given || !tokensMatch(given, token)) {
      return c.text('A valid bearer token is required.\n', 401, {
        'WWW-Authenticate': 'Bearer realm="fleetdeck-metrics"',
      })
    }
    return next()
  }
  const refused = loopbackScrapingRefused(config)
  if (refused) {
    return c.text(
      `Set METRICS_TOKEN to scrape /metrics: ${refused}, so a loopback peer proves nothing ` +
        '(a proxy on this host, or a page in a browser here, would look like one).\n',
      403,
    )
  }
  if (!isLoopback(socketPeer(c)) || cameThroughProxy(c)) {
    return c.text('Metrics answer only to this host when METRICS_TOKEN is not set.\n', 403)
  }
  return next()
}

function socketPeer(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  return env?.incoming?.socket?.remoteAddress
}

function cameThroughProxy(c: Context): boolean {
  return ['x-forwarded-for', 'forwarded', 'x-real-ip'].some((h) => c.req.header(h) !== undefined)
}

metricsRoutes.get('/', requireMetricsAccess, async (c) => {
  const metrics = c.var.metrics
  return c.body(await metrics.scrape(), 200, { 'Content-Type': metrics.contentType })
})
