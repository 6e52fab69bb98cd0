import { AsyncLocalStorage } from 'node:async_hooks'
import type { Context, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import { processHttpWindow } from '../observability/http-window.js'
import { processLogger } from '../observability/logger.js'
import { createAppMetrics } from '../observability/metrics.js'
import type { AppDeps, AppEnv } from './env.js'
import { clientIp } from './request.js'

/** The route label of a request no route answered (a 404): one value, whatever the path. */
export const UNMATCHED_ROUTE = 'unmatched'

/**
 * The route PATTERN that answered, e.g. `/tenants/:id`, read after the request ran: the handler
 * dispatched last when it was registered for a method, or — when a middleware (registered for
 * ALL) answered first, like a guard's redirect — the first method route after it, the one it
 * stood in front of. Never the path: paths carry ids (unbounded label values) and secrets
 * (`/enrol/<token>`); a parameter's regexp is left out. `/tenants/new` also matches `/tenants/:id`; dispatch order tells them apart.
 */
export function routePattern(c: Context): string {
  const routes = matchedRoutes(c)
  for (let i = Math.max(0, c.req.routeIndex); i < routes.length; i++) {
    if (routes[i].method !== 'ALL') return withoutParamRegexps(routes[i].path)
  }
  return UNMATCHED_ROUTE
}

/** `/enrol/:token{[a-z2-7]{32}\\.[a-z2-7]{32}}` → `/enrol/:token`: the name says enough. */
function withoutParamRegexps(pattern: string): string {
  return pattern.replace(/:(\w+)\{[^/]*\}(?=\/|$)/g, ':$1')
}

// methodOverride (a no-JS form's `_method=DELETE`) answers by dispatching a second request
// through the app from inside the first: that inner request names the real route and method,
// and the outer one writes the single line.
type Dispatch = { route?: string; method?: string }
const outerDispatch = new AsyncLocalStorage<Dispatch>()

/**
 * Sets `c.var.log` and `c.var.metrics` (deps.logger / deps.metrics, or the process logger at
 * LOG_LEVEL and a registry of the app's own), then measures every request: milliseconds from
 * arrival to the response leaving the app, counted in the process's windows (/system) and the
 * app's histogram (/metrics), and one JSON line — requestId, method, route (the pattern), status,
 * durationMs, operatorId when signed in, ip. Never the path, query string, body, cookies or
 * headers: they hold tokens and codes. `deps.observe: false` (a benchmark's baseline) only sets
 * the two variables.
 */
export function observeRequests(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const logger = deps.logger ?? processLogger(deps.config.logLevel)
  const metrics = deps.metrics ?? createAppMetrics(deps.database, deps.now ?? Date.now, logger)
  if (deps.observe === false) {
    return async (c, next) => {
      c.set('log', logger)
      c.set('metrics', metrics)
      await next()
    }
  }
  return async (c, next) => {
    const outer = outerDispatch.getStore()
    if (outer) {
      await next()
      outer.route = routePattern(c)
      outer.method = c.req.method
      return
    }
    const started = performance.now()
    const dispatch: Dispatch = {}
    c.set('log', logger)
    c.set('metrics', metrics)
    try {
      await outerDispatch.run(dispatch, next)
    } finally {
      const durationMs = performance.now() - started
      const status = c.res.status
      const route = dispatch.route ?? routePattern(c)
      const method = dispatch.method ?? c.req.method
      // Real time, not the app's clock: the windows are "the last minute" of this process.
      processHttpWindow.record(durationMs, status, Date.now())
      metrics.httpDuration.observe({ route, method, status }, durationMs / 1000)
      const operator = c.get('operator') as AppEnv['Variables']['operator'] | undefined
      // Probes and scrapes come every few seconds from machines: only their failures are news.
      const level = PROBE_ROUTES.has(route) && status < 400 ? 'debug' : 'info'
      logger[level](
        {
          requestId: c.var.requestId,
          method,
          route,
          status,
          durationMs: Math.round(durationMs * 100) / 100,
          operatorId: operator?.id,
          ip: safeClientIp(c),
        },
        'request',
      )
    }
  }
}

/** Routes that load balancers and Prometheus call every few seconds. */
const PROBE_ROUTES = new Set(['/healthz', '/readyz', '/metrics'])

/** clientIp, or null when the connection is gone (clientIp throws 400 then). */
function safeClientIp(c: Context<AppEnv>): string | null {
  try {
    return c.get('trustProxy') ? clientIp(c) : null
  } catch {
    return null
  }
}
