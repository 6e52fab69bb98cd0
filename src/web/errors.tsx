import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { processLogger, serializeError, type Logger } from '../observability/logger.js'
import { ErrorPage } from '../views/errors/error-page.js'
import type { AppEnv } from './env.js'
import { clientRequestId } from './request-id.js'
import { routePattern } from './observe.js'
import { isHtmx } from './request.js'

const NOT_FOUND = 'There is nothing at this address.'
const FAILED =
  'The request failed and nothing was changed. Quote the request id when you report it.'

/**
 * One log line (level error) per unexpected error: the stack goes to the log (`err.stack`),
 * never to the client. The route pattern, not the path: a path can hold an enrolment token. The
 * error is reduced here to type, message, stack and code (`serializeError`), whatever logger the
 * app was given: a driver's error carries data (PostgreSQL's `detail` names the duplicate email).
 */
export function logError(c: Context<AppEnv>, err: unknown): void {
  const log = (c.get('log') as Logger | undefined) ?? processLogger()
  log.error(
    {
      requestId: c.var.requestId,
      // What the client said its id was: for matching its logs, never written to the audit log.
      clientRequestId: clientRequestId(c),
      method: c.req.method,
      route: routePattern(c),
      err: serializeError(err instanceof Error ? err : new Error(String(err))),
    },
    'request failed',
  )
}

/** The HTML 404 page with the request id, for the console and the public pages. */
export const htmlNotFound: NotFoundHandler<AppEnv> = (c) =>
  c.html(<ErrorPage status={404} message={NOT_FOUND} requestId={c.var.requestId} />, 404)

/**
 * Errors of the console and public groups as HTML: a refusal (`HTTPException` below 500) with
 * its message — in place for htmx —, anything else as a 500 that shows only the request id.
 */
export const htmlErrorHandler: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof HTTPException && err.status < 500) {
    if (isHtmx(c)) {
      return c.html(
        <p role="alert" class="text-red-700">
          {err.message}
        </p>,
        err.status,
      )
    }
    const message = err.message || 'Request refused.'
    return c.html(
      <ErrorPage status={err.status} message={message} requestId={c.var.requestId} />,
      err.status,
    )
  }
  logError(c, err)
  return c.html(<ErrorPage status={500} message={FAILED} requestId={c.var.requestId} />, 500)
}

/** An RFC 9457 problem document: `application/problem+json`, status mirrored in the body. */
export function problem(c: Context<AppEnv>, status: number, title: string, detail?: string) {
  return c.body(
    JSON.stringify({ type: 'about:blank', title, status, detail, requestId: c.var.requestId }),
    status as 400,
    { 'Content-Type': 'application/problem+json' },
  )
}

/** Unknown addresses under a JSON group: a 404 problem, never the HTML page. */
export const problemNotFound: NotFoundHandler<AppEnv> = (c) =>
  problem(c, 404, 'Not Found', NOT_FOUND)

/** Errors of the JSON groups (API, webhooks) as RFC 9457 problems; causes stay in the log. */
export const problemErrorHandler: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof HTTPException && err.status < 500) {
    return problem(c, err.status, err.message || 'Request refused.')
  }
  logError(c, err)
  return problem(c, 500, 'Internal Server Error', FAILED)
}
