import type { ErrorHandler } from 'hono'
import type { AppEnv } from '../../web/env.js'
import { problemErrorHandler, problemNotFound } from '../../web/errors.js'
import { requireApiToken } from './auth.js'
import { apiRouter } from './openapi.js'
import { ApiRefusal, apiProblem } from './problems.js'
import { tenantsApi } from './tenants.js'
import { userApiRoutes } from './users.js'
import { superAdminApiRoutes } from './super-admins.js'
import { statsApiRoutes } from './stats.js'
import { flagApiRoutes } from './flags.js'

/**
 * The REST API's group, mounted at `/api/v1` (DESIGN.md §10; issue 14). JSON only, errors as
 * RFC 9457 problems, an API token as bearer on every route but the document, no cookies and so
 * no CSRF. Routes are defined once with `@hono/zod-openapi`; `/api/v1/openapi.json` is the
 * document they make.
 */
export const apiV1Routes = apiRouter()

apiV1Routes.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
  type: 'http',
  scheme: 'bearer',
  description: 'An API token made on /account/tokens: `fdt_<id>.<secret>`.',
})

// Registered before the token guard, so it answers without one: the document holds no data.
apiV1Routes.doc31('/openapi.json', {
  openapi: '3.1.0',
  info: {
    title: 'Fleetdeck REST API',
    version: '1.0.0',
    description:
      "The platform operators' API: tenants, users, super admins, stats, flags and plans. " +
      'Every call needs an API token (Authorization: Bearer fdt_…) and is written to the audit log.',
  },
  servers: [{ url: '/api/v1' }],
})

apiV1Routes.use('*', requireApiToken)

// --- issue 14: the resource routers are mounted here ---
apiV1Routes.route('/tenants', tenantsApi)
apiV1Routes.route('/users', userApiRoutes)
apiV1Routes.route('/super-admins', superAdminApiRoutes)
apiV1Routes.route('/stats', statsApiRoutes)
// At '/': its paths are /flags… and /tenants/{id}/flags/{key}, beside the tenants router's.
apiV1Routes.route('/', flagApiRoutes)
// --- end resource routers ---

// A sub-app's notFound is not consulted once mounted: this catch-all answers instead (keep it last).
apiV1Routes.all('*', problemNotFound)

const apiErrorHandler: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof ApiRefusal) return apiProblem(c, err.status, err.code, err.message, err.errors)
  return problemErrorHandler(err, c)
}
apiV1Routes.onError(apiErrorHandler)
