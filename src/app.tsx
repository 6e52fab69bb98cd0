import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { bodyLimit } from 'hono/body-limit'
import { csrf } from 'hono/csrf'
import { methodOverride } from 'hono/method-override'
import { requestId } from 'hono/request-id'
import { compress } from 'hono/compress'
import { accountRoutes } from './routes/account.js'
import { auditRoutes } from './routes/audit.js'
import { enrolmentRoutes } from './routes/enrolment.js'
import { healthRoutes } from './routes/health.js'
import { settingsRoutes } from './routes/settings.js'
import { signInRoutes } from './routes/sign-in.js'
import { superAdminRoutes } from './routes/super-admins.js'
import { stepUpRoutes } from './routes/step-up.js'
import { tenantRoutes } from './routes/tenants.js'
import { ErrorPage } from './views/error.js'
import type { AppDeps, AppEnv } from './web/env.js'
import { compileTrustProxy } from './web/client-ip.js'
import { requireConsoleSession } from './web/guards.js'
import { enforceGlobalAllowlist } from './web/ip-guard.js'
import {
  noStore,
  onlyDeleteOverride,
  requirePublicHost,
  sameOriginOr,
  securityHeaders,
} from './web/hardening.js'
import { isHtmx } from './web/request.js'
import { serveAssets } from './web/assets.js'

/** The whole HTTP app; `app.request()` in tests, `@hono/node-server` in production. */
export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>()
  const now = deps.now ?? Date.now
  const trustProxy = compileTrustProxy(deps.config.trustProxy)

  app.use(requestId({ generator: () => crypto.randomUUID() }))
  app.use(async (c, next) => {
    c.set('deps', deps)
    c.set('db', deps.database.db)
    c.set('now', () => new Date(now()))
    c.set('trustProxy', trustProxy)
    await next()
  })
  // gzip for pages, fragments and unbuilt assets; built assets carry their own .br/.gz copies.
  app.use(compress())
  app.use(securityHeaders(deps.config), noStore, requirePublicHost(deps.config))
  app.use('/public/*', serveAssets)
  app.use(enforceGlobalAllowlist)
  // Hono's csrf checks the content types a cross-site form can send without a preflight;
  // anything else needs CORS, which Fleetdeck never grants, and SameSite=Strict cookies.
  app.use(csrf({ origin: sameOriginOr(deps.config.publicUrl) }))
  // Forms without JavaScript send `_method=DELETE`; htmx sends the real verb.
  // Forms here are small; a cap keeps a stranger from making the server parse megabytes.
  app.use(bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text('Request body too large', 413) }))
  app.use(onlyDeleteOverride, methodOverride({ app }))

  app.route('/', healthRoutes)
  app.route('/', signInRoutes)
  app.route('/', enrolmentRoutes)

  for (const section of ['/tenants', '/audit', '/account', '/settings', '/step-up']) {
    app.use(`${section}/*`, requireConsoleSession)
  }
  app.route('/tenants', tenantRoutes)
  app.route('/audit', auditRoutes)
  app.use('/super-admins/*', requireConsoleSession)
  app.route('/super-admins', superAdminRoutes)
  app.route('/account', accountRoutes)
  app.route('/settings', settingsRoutes)
  app.route('/step-up', stepUpRoutes)
  app.get('/', (c) => c.redirect('/tenants', 303))

  app.notFound((c) =>
    c.html(
      <ErrorPage
        status={404}
        message="There is nothing at this address."
        requestId={c.var.requestId}
      />,
      404,
    ),
  )
  app.onError((err, c) => {
    if (err instanceof HTTPException && err.status < 500) {
      const page = (
        <ErrorPage
          status={err.status}
          message={err.message || 'Request refused.'}
          requestId={c.var.requestId}
        />
      )
      return isHtmx(c)
        ? c.html(
            <p role="alert" class="text-red-700">
              {err.message}
            </p>,
            err.status,
          )
        : c.html(page, err.status)
    }
    console.error(
      JSON.stringify({
        level: 'error',
        requestId: c.var.requestId,
        method: c.req.method,
        path: c.req.path,
        error: String(err?.stack ?? err),
      }),
    )
    return c.html(
      <ErrorPage
        status={500}
        message="The request failed and nothing was changed. Quote the request id when you report it."
        requestId={c.var.requestId}
      />,
      500,
    )
  })
  return app
}

export type App = ReturnType<typeof createApp>
