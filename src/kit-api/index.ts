import { Hono } from 'hono'
import { requireAppKey, type KitEnv } from './auth.js'
import { kitAuditEntryRoutes } from './audit-entries.js'
import { kitErrorHandler, kitProblem } from './errors.js'
import { kitImpersonationRoutes } from './impersonations.js'
import { kitJoinRequestRoutes } from './join-requests.js'
import { kitMemberRoutes } from './members.js'
import { kitSignInRoutes } from './sign-ins.js'
import { kitSignupRoutes } from './signup.js'
import { ofrepErrorHandler, ofrepNotFound, ofrepRoutes } from './ofrep.js'
import { kitTenantRoutes } from './tenants.js'

/**
 * The kit API, mounted at `/kit/v1` (issue 8 item 3, DESIGN.md §12): what `@fleetdeck/kit` in a
 * tenant app calls with its app key. JSON in and out, RFC 9457 problems with a `code` for every
 * refusal; outside the operator IP allowlist and the same-origin check (no cookies are read).
 */
export const kitApiRoutes = new Hono<KitEnv>()

kitApiRoutes.use('*', requireAppKey)
// Resource groups are mounted here (tenants, members, sign-ins, join requests, impersonations).
kitApiRoutes.route('/tenants/:slug/audit-entries', kitAuditEntryRoutes)
kitApiRoutes.route('/tenants', kitTenantRoutes)
kitApiRoutes.route('/tenants/:slug/members', kitMemberRoutes)
kitApiRoutes.route('/sign-ins', kitSignInRoutes)
kitApiRoutes.route('/join-requests', kitJoinRequestRoutes)
kitApiRoutes.route('/impersonations', kitImpersonationRoutes)
kitApiRoutes.route('/', kitSignupRoutes)

// Keep the catch-all last: a mounted sub-app's notFound is never consulted.
kitApiRoutes.all('*', (c) => kitProblem(c, 404, 'not_found', 'There is nothing at this address.'))
kitApiRoutes.onError(kitErrorHandler)

/**
 * OpenFeature Remote Evaluation Protocol, mounted at `/ofrep/v1` (issue 9 item 5): the same app
 * keys as the kit API, so any OpenFeature SDK with the OFREP provider evaluates Fleetdeck's flags.
 */
export const ofrepApiRoutes = new Hono<KitEnv>()

ofrepApiRoutes.use('*', requireAppKey)
ofrepApiRoutes.route('/', ofrepRoutes)
ofrepApiRoutes.all('*', ofrepNotFound)
ofrepApiRoutes.onError(ofrepErrorHandler)
