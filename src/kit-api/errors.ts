import type { Context, ErrorHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../web/env.js'
import { logError } from '../web/errors.js'

// The kit API answers every refusal as an RFC 9457 problem with a stable machine `code` the kit
// switches on (`tenant_not_found`, `handoff_used`, …); `title` is for people reading logs.

/** A refusal of the kit API: status, the stable `code`, and a sentence for people. */
export class KitRefusal extends HTTPException {
  constructor(
    status: 400 | 401 | 403 | 404 | 409 | 410 | 422 | 429,
    readonly code: string,
    title: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(status, { message: title })
  }
}

/** `application/problem+json` with the kit's `code` beside the RFC 9457 members. */
export function kitProblem(
  c: Context<AppEnv>,
  status: number,
  code: string,
  title: string,
  extra: Record<string, unknown> = {},
) {
  return c.body(
    JSON.stringify({
      type: 'about:blank',
      title,
      status,
      code,
      ...extra,
      requestId: c.var.requestId,
    }),
    status as 400,
    { 'Content-Type': 'application/problem+json' },
  )
}

/** Errors of the kit API: refusals with their code, anything else a 500 whose cause stays in the log. */
export const kitErrorHandler: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof KitRefusal) return kitProblem(c, err.status, err.code, err.message, err.extra)
  if (err instanceof HTTPException && err.status < 500) {
    return kitProblem(c, err.status, 'refused', err.message || 'Request refused.')
  }
  logError(c, err)
  return kitProblem(c, 500, 'internal', 'The request failed and nothing was changed.')
}
