import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { AppEnv } from '../../web/env.js'

/**
 * RFC 9457 problem details, as every /api/v1 error answers (`application/problem+json`).
 * `errors` lists the fields a 422 refused, each with the message the console would show next to
 * that field; `code` is a stable machine word (`unauthorized`, `forbidden`, `step_up_required`,
 * `rate_limited`, `not_found`, `conflict`, `invalid`, …).
 */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem')

export type Problem = z.infer<typeof ProblemSchema>

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
}

/**
 * Answers with a problem document (RFC 9457 §3): status mirrored in the body, the request id so
 * the operator can find the log line.
 */
export function apiProblem(
  c: Context<AppEnv>,
  status: 400 | 401 | 403 | 404 | 409 | 422 | 429,
  code: string,
  detail: string,
  errors?: { field: string; message: string }[],
) {
  const body: Problem = {
    type: 'about:blank',
    title: TITLES[status],
    status,
    detail,
    code,
    requestId: c.var.requestId,
    ...(errors ? { errors } : {}),
  }
  return c.body(JSON.stringify(body), status, { 'Content-Type': 'application/problem+json' })
}

/** An error thrown inside the API that the group's error handler turns into a problem. */
export class ApiRefusal extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 422 | 429,
    readonly code: string,
    message: string,
    readonly errors?: { field: string; message: string }[],
  ) {
    super(message)
  }
}

/** The problem responses every authenticated route may give, for the OpenAPI document. */
export const problemResponses = {
  401: {
    description: 'No valid API token',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
  403: {
    description: 'The token lacks the permission (or step-up)',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
  429: {
    description: 'Rate limited',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
} as const

/** A problem response for the document: `{ 404: problemResponse('No such tenant') }`. */
export function problemResponse(description: string) {
  return { description, content: { 'application/problem+json': { schema: ProblemSchema } } }
}
