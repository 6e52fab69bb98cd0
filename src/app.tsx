import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { methodOverride } from 'hono/method-override'
import { apiV1Routes } from './api/v1/index.js'
import { kitApiRoutes, ofrepApiRoutes } from './kit-api/index.js'
import { accountRoutes } from './routes/account.js'
import { accountTokenRoutes } from './routes/account-tokens.js'
import { appKeyRoutes } from './routes/app-keys.js'
import { auditExportRoutes } from './routes/audit-export.js'
import { auditRoutes } from './routes/audit.js'
import { auditVerifyRoutes } from './routes/audit-verify.js'
import { batchRoutes } from './routes/batches.js'
import { dashboardRoutes } from './routes/dashboard.js'
import { enrolmentRoutes } from './routes/enrolment.js'
import { flagRoutes } from './routes/flags.js'
import { healthRoutes } from './routes/health.js'
import { impersonationRoutes } from './routes/impersonations.js'
import { joinRequestRoutes } from './routes/join-requests.js'
import { jwksRoutes } from './routes/jwks.js'
import { licenceRoutes } from './routes/licences.js'
import { metricsRoutes } from './routes/metrics.js'
import { planRoutes } from './routes/plans.js'
import { scopeRoutes } from './routes/scope.js'
import { settingsRoutes } from './routes/settings.js'
import { keySettingsRoutes } from './routes/settings/keys.js'
import { licenceSettingsRoutes } from './routes/settings/licence.js'
import { mailSettingsRoutes } from './routes/settings/mail.js'
import { signupSettingsRoutes } from './routes/settings/signup.js'
import { thresholdSettingsRoutes } from './routes/settings/thresholds.js'
import { approvalSettingsRoutes } from './routes/settings/approvals.js'
import { approvalRoutes } from './routes/approvals.js'
import { signInRoutes } from './routes/sign-in.js'
import { ssoRoutes } from './routes/sso.js'
import { superAdminRoutes } from './routes/super-admins/index.js'
import { ssoOnlyRoutes } from './routes/super-admins/sso-only.js'
import { systemRoutes } from './routes/system.js'
import { stepUpRoutes } from './routes/step-up.js'
import { tenantRoutes } from './routes/tenants.js'
import { tenantMemberRoutes } from './routes/tenant-members.js'
import { userRoutes } from './routes/users.js'
import { autoJoinDomainRoutes } from './routes/tenants/auto-join-domains.js'
import { tenantFlagRoutes } from './routes/tenants/flags.js'
import { tenantPlanRoutes } from './routes/tenants/plan.js'
import { webhookRoutes } from './webhooks/index.js'
import { STRIPE_WEBHOOK_MAX_BYTES } from './webhooks/stripe.js'
import { jobRoutes } from './routes/jobs.js'
import { fleetRoutes } from './routes/fleet.js'
import { fleetRepairRoutes } from './routes/fleet/repairs.js'
import { fleetMigrationRoutes } from './routes/fleet/migrations.js'
import { fleetBackupRoutes } from './routes/fleet/backups.js'
import { tenantBackupRoutes } from './routes/tenants/backups.js'
import { tenantProtectionRoutes } from './routes/tenants/protection.js'
import { tenantPlacementRoutes } from './routes/tenants/placement.js'
import { tenantRestorationRoutes } from './routes/tenants/restoration.js'
import { billingRoutes } from './routes/billing.js'
import { tenantBillingRoutes } from './routes/tenants/billing.js'
import type { AppDeps, AppEnv } from './web/env.js'
import { compileTrustProxy } from './web/client-ip.js'
import { compressResponses } from './web/compression.js'
import { limitDatabaseQueue } from './web/database-queue.js'
import { htmlErrorHandler, htmlNotFound, problem } from './web/errors.js'
import { takeFlashForPage } from './web/flash.js'
import { readFormBody } from './web/form-body.js'
import { requireConsoleSession } from './web/guards.js'
import { resolveImpersonationBanner } from './web/impersonation-banner.js'
import { resolveScope } from './web/scope.js'
import { enforceGlobalAllowlist } from './web/ip-guard.js'
import {
  noStore,
  onlyDeleteOverride,
  requirePublicHost,
  requireSameOrigin,
  sameOriginOr,
  securityHeaders,
} from './web/hardening.js'
import { serveAssets } from './web/assets.js'
import { authRenderer, consoleRenderer } from './web/render.js'
import { takeResumedFormForPage } from './web/form-resume.js'
import { assignRequestId } from './web/request-id.js'
import { observeRequests } from './web/observe.js'
import { requireClientAddress } from './web/request.js'
import { refuseControlCharactersInUrl } from './web/text-guard.js'

/** Health probes, the JWKS, sign-in and enrolment: everything that answers without a session. */
function publicGroup() {
  const group = new Hono<AppEnv>()
  group.route('/', healthRoutes)
  group.route('/', jwksRoutes)
  group.route('/', signInRoutes)
  group.route('/', ssoRoutes)
  group.route('/enrol', enrolmentRoutes)
  group.onError(htmlErrorHandler)
  return group
}

/**
 * Every other page: one guard for the whole group (DESIGN.md §5), so a new resource cannot be
 * mounted without it, and one renderer that draws the console layout from the request.
 */
function consoleGroup() {
  const group = new Hono<AppEnv>()
  group.use(
    '*',
    requireConsoleSession,
    resolveImpersonationBanner,
    resolveScope,
    takeResumedFormForPage,
    consoleRenderer,
  )
  group.route('/', dashboardRoutes)
  group.route('/tenants', tenantRoutes)
  group.route('/tenants', tenantMemberRoutes)
  group.route('/users', userRoutes)
  group.route('/tenants/:id/auto-join-domains', autoJoinDomainRoutes)
  group.route('/tenants/:id/plan', tenantPlanRoutes)
  group.route('/tenants/:id/flags', tenantFlagRoutes)
  group.route('/join-requests', joinRequestRoutes)
  group.route('/impersonations', impersonationRoutes)
  group.route('/plans', planRoutes)
  group.route('/licences', licenceRoutes)
  group.route('/flags', flagRoutes)
  group.route('/batches', batchRoutes)
  group.route('/audit/export', auditExportRoutes)
  group.route('/audit/verify', auditVerifyRoutes)
  group.route('/audit', auditRoutes)
  group.route('/scope', scopeRoutes)
  group.route('/super-admins', superAdminRoutes)
  group.route('/super-admins/:id/sso-only', ssoOnlyRoutes)
  group.route('/account/tokens', accountTokenRoutes)
  group.route('/account', accountRoutes)
  group.route('/settings', settingsRoutes)
  group.route('/settings/app-keys', appKeyRoutes)
  group.route('/settings/signup', signupSettingsRoutes)
  group.route('/settings/mail', mailSettingsRoutes)
  group.route('/settings/licence', licenceSettingsRoutes)
  group.route('/settings/keys', keySettingsRoutes)
  group.route('/settings/thresholds', thresholdSettingsRoutes)
  group.route('/settings/approvals', approvalSettingsRoutes) // issue 14: dual control
  group.route('/approvals', approvalRoutes) // issue 14: dual control
  group.route('/system', systemRoutes)
  // Fleet operations (issue 11).
  group.route('/jobs', jobRoutes)
  group.route('/fleet/migrations', fleetMigrationRoutes)
  group.route('/fleet/backups', fleetBackupRoutes)
  group.route('/fleet', fleetRoutes)
  group.route('/fleet', fleetRepairRoutes)
  group.route('/tenants/:id/backups', tenantBackupRoutes)
  group.route('/tenants/:id/protection', tenantProtectionRoutes)
  group.route('/tenants/:id/placement', tenantPlacementRoutes)
  group.route('/tenants/:id/restoration', tenantRestorationRoutes)
  // Billing (issue 12).
  group.route('/billing', billingRoutes)
  group.route('/tenants/:id/billing', tenantBillingRoutes)
  group.route('/step-up', stepUpRoutes)
  group.onError(htmlErrorHandler)
  return group
}

/** The whole HTTP app; `app.request()` in tests, `@hono/node-server` in production. */
export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const now = deps.now ?? Date.now
  const trustProxy = compileTrustProxy(deps.config.trustProxy)

  app.use(assignRequestId)
  app.use(observeRequests(deps))
  app.use(async (c, next) => {
    c.set('deps', deps)
    c.set('db', deps.database.db)
    c.set('now', () => new Date(now()))
    c.set('trustProxy', trustProxy)
    await next()
  })
  // brotli or gzip for pages, fragments and unbuilt assets; built assets carry their own copies.
  app.use(compressResponses)
  app.use(securityHeaders(deps.config), noStore, requirePublicHost(deps.config))
  app.use(requireClientAddress, refuseControlCharactersInUrl)
  app.use('/public/*', serveAssets)
  // Everything from here may touch the database, the allowlist refusal's rate limit and audit
  // entry included. A no-JS `_method=DELETE` form is dispatched again through the app from
  // inside its turn, and the queue lets that second pass through on the first one's slot.
  app.use(
    limitDatabaseQueue({
      connections: deps.database.connections,
      queueLimit: deps.config.databaseQueueLimit,
    }),
  )
  app.use(enforceGlobalAllowlist)
  // Every unsafe request, whatever its body type, must come from our own pages; the API, kit API,
  // webhook and OFREP groups authenticate with tokens and signatures, not cookies a browser adds.
  app.use(
    requireSameOrigin(sameOriginOr(deps.config.publicUrl), {
      except: ['/api/', '/webhooks/stripe', '/kit/', '/ofrep/'],
    }),
  )
  // Forms without JavaScript send `_method=DELETE`; htmx sends the real verb.
  // Forms here are small; a cap keeps a stranger from making the server parse megabytes.
  // Stripe's events can be larger: its webhook gets a cap of its own, applied here, before any
  // middleware reads a body, since the endpoint answers strangers (no session, no allowlist).
  const formLimit = bodyLimit({
    maxSize: 64 * 1024,
    onError: (c) => c.text('Request body too large', 413),
  })
  const webhookLimit = bodyLimit({
    maxSize: STRIPE_WEBHOOK_MAX_BYTES,
    onError: (c) => problem(c, 413, 'Payload Too Large', 'A Stripe event is at most 1 MiB.'),
  })
  app.use((c, next) =>
    c.req.path === '/webhooks/stripe' ? webhookLimit(c, next) : formLimit(c, next),
  )
  app.use(readFormBody, onlyDeleteOverride, methodOverride({ app }))
  // Pages outside the console draw the narrow card; the console group sets its own layout.
  app.use(takeFlashForPage, authRenderer)

  // Order matters: the console group's guard matches every path, so the groups that answer
  // without a session come first and answer their own addresses.
  app.route('/', publicGroup())
  app.route('/metrics', metricsRoutes)
  app.route('/api/v1', apiV1Routes)
  app.route('/kit/v1', kitApiRoutes)
  app.route('/ofrep/v1', ofrepApiRoutes)
  app.route('/webhooks', webhookRoutes)
  app.route('/', consoleGroup())

  app.notFound(htmlNotFound)
  app.onError(htmlErrorHandler)
  return app
}

export type App = ReturnType<typeof createApp>
