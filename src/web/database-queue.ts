import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from './env.js'

/** Seconds a refused client is asked to wait: about what a full queue takes to drain. */
export const BUSY_RETRY_AFTER_SECONDS = 2

/**
 * A bounded, first-come-first-served queue of whole requests in front of the database. Without
 * it, `pg`'s pool queues every statement without limit, and a request of eight statements goes
 * to the back of the line eight times: under 50 concurrent clients on the embedded database (one
 * connection) p99 reached 8.9 s and some requests got no answer in 10 s. Here at most
 * `connections` requests run at once (one on PGlite, which runs on the event loop's thread
 * anyway), `queueLimit` more wait in arrival order, and any beyond are answered 503 with
 * Retry-After at once, before they touch the database. Liveness (`/healthz`) never waits: a busy
 * server is alive, and an orchestrator must not restart it for being busy.
 */
export function limitDatabaseQueue(options: {
  connections: number
  queueLimit: number
}): MiddlewareHandler<AppEnv> {
  let running = 0
  const waiting: (() => void)[] = []
  return async (c, next) => {
    if (c.req.path === '/healthz') return next()
    if (running < options.connections) {
      running += 1
    } else if (waiting.length < options.queueLimit) {
      // The request that finishes hands its slot straight to this one.
      await new Promise<void>((resolve) => waiting.push(resolve))
    } else {
      return busy(c)
    }
    try {
      await next()
    } finally {
      const nextInLine = waiting.shift()
      if (nextInLine) nextInLine()
      else running -= 1
    }
  }
}

function busy(c: Context<AppEnv>) {
  return c.text('Fleetdeck is busy. Try again in a moment.', 503, {
    'Retry-After': String(BUSY_RETRY_AFTER_SECONDS),
  })
}
