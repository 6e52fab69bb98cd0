import { createHash, timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { Hono } from 'hono'
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
 * Who may scrape. Answers itself (plain text, not the HTML error page: the caller is a scraper). With METRICS_TOKEN: `Authorization: Bearer <token>` (RFC 6750), else 401 with
 * `WWW-Authenticate: Bearer`. Without: only a loopback peer that came through no proxy — behind
 * a reverse proxy on the same host every peer is loopback, so a forwarding header means "from
 * outside" and is refused (README: set METRICS_TOKEN, or block /metrics at the proxy).
 */
export const requireMetricsAccess: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = c.var.deps.config.metricsToken
  if (token) {
    const [scheme, given] = (c.req.header('authorization') ?? '').split(' ')
    if (scheme?.toLowerCase() !== 'bearer' || !given || !tokensMatch(given, token)) {
      return c.text('A valid bearer token is required.\n', 401, {
        'WWW-Authenticate': 'Bearer realm="fleetdeck-metrics"',
      })
    }
    return next()
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
