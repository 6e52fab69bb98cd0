import { Hono } from 'hono'
import type { AppEnv } from '../../web/env.js'
import { problemErrorHandler, problemNotFound } from '../../web/errors.js'

/**
 * The REST API's group, mounted at `/api/v1` (DESIGN.md §10). It has no endpoints yet; it
 * already answers in its own language — RFC 9457 problems — so a client never gets an HTML page.
 */
export const apiV1Routes = new Hono<AppEnv>()

// A sub-app's notFound is not consulted once mounted: this catch-all answers instead (keep it last).
apiV1Routes.all('*', problemNotFound)
apiV1Routes.onError(problemErrorHandler)
