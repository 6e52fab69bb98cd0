import { Hono, type Context } from 'hono'
import type { Kysely } from 'kysely'
import { KitError, type Kit } from '@fleetdeck/kit'
import { fleetdeck, type RefusalPage } from '@fleetdeck/kit/hono'
import type { BoardEnv } from './env.js'
import { DOCTYPE } from './page.js'
import { withFeatures } from './features.js'
import type { Flags } from './flags.js'
import { auditRoutes } from './routes/audit.js'
import { drawingRoutes } from './routes/drawings.js'
import { exportRoutes } from './routes/export.js'
import { boardRoutes } from './routes/board.js'
import { joinRoutes } from './routes/join.js'
import { memberRoutes } from './routes/members.js'
import { signInRoutes } from './routes/sign-in.js'
import { signupRoutes } from './routes/signup.js'
import { readSession } from './session.js'
import { Layout, STYLESHEET } from './views/layout.js'

// A deliberately small SaaS — a shared notes board per tenant at /t/<slug>/ — built only on
// @fleetdeck/kit: the kit resolves the tenant (suspended and unknown ones refused), checks the
// member on every request, serves the support handoff, shows the banner and refuses writes in a
// read-only support session. Drawings appear by the `drawings-beta` flag (OpenFeature over OFREP),
// Export by the plan (`board-export` in the kit's snapshot). The app keeps its own credentials and notes in the tenant's schema.

export type ExampleAppOptions = {
  kit: Kit
  /** Feature flags through OpenFeature's OFREP provider pointed at Fleetdeck (connectFlags). */
  flags: Flags
  /** The database with the tenant schemas; the app reads and writes only its own tables there. */
  db: Kysely<any>
  /** Signs the session and impersonation cookies; at least 32 random characters. */
  cookieSecret: string
  /** `Secure` cookies; true when the app is served over https. */
  secureCookies?: boolean
  /** The clock, in ms since the epoch (tests move it). */
  now?: () => number
}

export function createExampleApp(options: ExampleAppOptions) {
  const { kit } = options
  const deps = {
    kit,
    flags: options.flags,
    db: options.db,
    cookieSecret: options.cookieSecret,
    secureCookies: options.secureCookies ?? false,
    now: options.now ?? Date.now,
  }
  const kitParts = fleetdeck<BoardEnv>(kit, {
    tenantSlug: (c) => c.req.param('slug'),
    cookieSecret: options.cookieSecret,
    secureCookies: deps.secureCookies,
    renderRefusal,
    onSignedOut: (c: Context) => c.redirect(`/t/${c.req.param('slug')}/sign-in`, 303),
  })
  const member = withFeatures(kitParts.requireMember((c) => c.var.user))

  const app = new Hono<BoardEnv>()
  app.use('*', async (c, next) => {
    c.set('deps', deps)
    await next()
  })
  app.get('/board.css', (c) => {
    c.header('Cache-Control', 'public, max-age=3600')
    return c.body(STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8' })
  })
  app.route('/', signupRoutes)
  app.route('/_fleetdeck', kitParts.routes)
  app.use('/t/:slug/*', kitParts.tenant, readSession)
  app.get('/t/:slug', (c) => c.redirect(`/t/${c.req.param('slug')}/`, 301))
  app.route('/', signInRoutes)
  app.route('/', joinRoutes)
  app.route('/', boardRoutes(member))
  app.route('/', memberRoutes(member))
  app.route('/', auditRoutes(member))
  app.route('/', drawingRoutes(member))
  app.route('/', exportRoutes(member))
  app.notFound((c) => c.html(<Refusal title="Not found" message="There is nothing here." />, 404))
  app.onError((error, c) => {
    console.error(error)
    if (error instanceof KitError)
      return c.html(
        <Refusal title="Fleetdeck can't be reached" message="Try again in a moment." />,
        503,
      )
    return c.html(<Refusal title="Something went wrong" message="Try again in a moment." />, 500)
  })
  return app
}

export type ExampleApp = ReturnType<typeof createExampleApp>

/** The kit's refusals (suspended, not a member, disabled, read-only…) in the app's layout. */
function renderRefusal(c: Context, refusal: RefusalPage) {
  return c.html(<Refusal title={refusal.title} message={refusal.message} />, refusal.status)
}

function Refusal(props: { title: string; message: string }) {
  return (
    <>
      {DOCTYPE}
      <Layout title={props.title}>
        <h1>{props.title}</h1>
        <p>{props.message}</p>
      </Layout>
    </>
  )
}
