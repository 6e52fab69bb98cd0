import { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../../web/env.js'
import { apiProblem } from './problems.js'

/**
 * A router of /api/v1 whose routes are defined once with `createRoute` (schemas, responses,
 * permission) and land in the OpenAPI document. A request that fails its schema answers 422 with
 * one `{ field, message }` per problem (RFC 9457 problem, `code: invalid`); nothing is written.
 */
export function apiRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const errors = result.error.issues.map((issue) => ({
          field: issue.path.join('.') || result.target,
          message: issue.message,
        }))
        return apiProblem(c, 422, 'invalid', 'The request has invalid fields.', errors)
      }
    },
  })
}

/** The security requirement of every token-guarded route in the document. */
export const BEARER = [{ bearerAuth: [] }]
