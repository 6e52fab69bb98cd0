import { AsyncLocalStorage } from 'node:async_hooks'
import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from './env.js'

/** Seconds a refused client is asked to wait: about what a full queue takes to drain. */
export const BUSY_RETRY_AFTER_SECONDS = 2

/**
 * A bounded, first-come-first-served queue of whole requests in front of the database.
 *
 * On the embedded database a request's statements resolve without real I/O, so one request runs
 * from start to finish before Node even parses the next: the waiting happens unseen, in socket
 * buffers, and which socket libuv serves next is arbitrary — under 50 concurrent clients p99
 * reached 8 s and some requests got no answer in 10 s. So every request first yields once
 * (`setImmediate`): all requests that arrived together are parsed, counted and then served in
 * arrival order. On a server, `pg`'s pool queues statements without limit, and a request of eight
 * statements went to the back of that line eight times. Here at most `connections` requests run
 * at once, `queueLimit` more wait in order, and any beyond are answered 503 with Retry-After at
 * once, before they touch the database. Liveness (`/healthz`) never waits: a busy server is
 * alive, and an orchestrator must not restart it for being busy. A request dispatched again from
 * inside an admitted one (Hono's methodOverride turns `_method=DELETE` into a second `app.fetch`)
 * uses its parent's slot: waiting for one of its own deadlocked every such form on one connection.
 */
export function limitDatabaseQueue(options: {
  connections: number
  queueLimit: number
}): MiddlewareHandler<AppEnv> {
  const capacity = options.connections + options.queueLimit
  let admitted = 0
  let running = 0
  const waiting: (() => void)[] = []
  // A request dispatched from inside another (methodOverride runs `app.fetch` again for a form's
  // `_method=DELETE`) already has its turn: waiting for a second one would wait for itself.
  const insideTurn = new AsyncLocalStorage<true>()
  return async (c, next) => {
    if (c.req.path === '/healthz' || insideTurn.getStore()) return next()
    if (admitted >= capacity) return busy(c)
    admitted += 1
    try {
      await new Promise((resolve) => setImmediate(resolve))
      if (running < options.connections) running += 1
      // The request that finishes hands its slot straight to the next in line.
      else await new Promise<void>((resolve) => waiting.push(resolve))
      try {
        await insideTurn.run(true, next)
      } finally {
        const nextInLine = waiting.shift()
        if (nextInLine) nextInLine()
        else running -= 1
      }
    } finally {
      admitted -= 1
    }
  }
}

function busy(c: Context<AppEnv>) {
  return c.text('Fleetdeck is busy. Try again in a moment.', 503, {
    'Retry-After': String(BUSY_RETRY_AFTER_SECONDS),
  })
}
