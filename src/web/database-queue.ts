import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './env.js'

/** Seconds a refused client is asked to wait: about what a full queue takes to drain. */
export const BUSY_RETRY_AFTER_SECONDS = 2

/**
 * Bounds the requests waiting for the database. The embedded database serves one statement at
 * a time and `pg`'s pool queues every other one without limit: under 50 concurrent clients
 * requests waited past 10 s and the process grew to ~500 MiB it never returned. Beyond
 * `connections + queueLimit` requests in flight, a request is answered 503 with Retry-After at
 * once, before it touches the database. Liveness (`/healthz`) is never refused: a busy server is
 * alive, and an orchestrator must not restart it for being busy.
 */
export function limitDatabaseQueue(options: {
  connections: number
  queueLimit: number
}): MiddlewareHandler<AppEnv> {
  const capacity = options.connections + options.queueLimit
  let inFlight = 0
  return async (c, next) => {
    if (c.req.path === '/healthz') return next()
    if (inFlight >= capacity) {
      return c.text('Fleetdeck is busy. Try again in a moment.', 503, {
        'Retry-After': String(BUSY_RETRY_AFTER_SECONDS),
      })
    }
    inFlight += 1
    try {
      await next()
    } finally {
      inFlight -= 1
    }
  }
}
