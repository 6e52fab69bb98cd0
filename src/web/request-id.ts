import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from './env.js'

// Proxies and clients may send their own X-Request-Id. It is theirs to choose, so it never
// becomes ours: the error page, the response header and audit rows carry an id this server
// generated; a client's id is kept only for the error log line, to correlate with their logs.
const clientIds = new WeakMap<Request, string>()

/**
 * Sets `c.var.requestId` to a fresh UUID and echoes it in `X-Request-Id`. A client-sent
 * X-Request-Id (at most 200 word characters, dashes or `=`; anything else is dropped) is kept
 * apart, for clientRequestId.
 */
export const assignRequestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const sent = c.req.header('x-request-id')
  if (sent && sent.length <= 200 && /^[\w\-=]+$/.test(sent)) clientIds.set(c.req.raw, sent)
  const id = crypto.randomUUID()
  c.set('requestId', id)
  c.header('X-Request-Id', id)
  await next()
}

/** The X-Request-Id the client sent with this request, if it was well-formed; for log lines only. */
export function clientRequestId(c: Context): string | undefined {
  return clientIds.get(c.req.raw)
}
