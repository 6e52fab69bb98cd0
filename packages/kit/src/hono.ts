import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { generateCookie, generateSignedCookie, getSignedCookie } from 'hono/cookie'
import type { Banner } from './banner.js'
import { KitError } from './client.js'
import type { Entitlements } from './entitlements.js'
import type { Kit } from './kit.js'
import type { MemberLookup } from './members.js'
import type { Impersonation, KitMember, KitTenant } from './types.js'
import { refusalHtml, REFUSALS, type RefusalKind, type RefusalPage } from './refusals.js'

// The kit as Hono middleware: the /_fleetdeck routes a handoff lands on, the `tenant` guard every
// tenant page sits behind, and `requireMember` for the app's own signed-in users.

export type { RefusalKind, RefusalPage } from './refusals.js'

/** What the middleware sets: `new Hono<{ Variables: FleetdeckVariables }>()`. */
export type FleetdeckVariables = {
  fleetdeck: {
    tenant: KitTenant
    entitlements: Entitlements
    /** Set while support is impersonating a user of this tenant in this browser. */
    impersonation?: Impersonation
    banner?: Banner
    /** Set by requireMember: the signed-in (or impersonated) user's membership. */
    member?: KitMember
  }
}

/** The least Hono env the middleware needs; an app's env may add its own variables. */
export type FleetdeckEnv = { Variables: FleetdeckVariables }
type Render = (c: Context, refusal: RefusalPage) => Response | Promise<Response>

export type FleetdeckOptions = {
  /** The tenant slug of a request, e.g. (c) => c.req.param('slug'), or the host's first label. */
  tenantSlug: (c: Context) => string | undefined
  /** Signs the impersonation cookie (HMAC-SHA256, hono/cookie signed cookies); ≥ 32 random bytes. */
  cookieSecret: string
  /** Where a redeemed handoff lands; default (slug) => `/t/${slug}/`. */
  tenantHome?: (slug: string) => string
  /** Renders a refusal; default: a minimal accessible HTML page with a heading and the message. */
  renderRefusal?: Render
  /** Whether the cookie gets `Secure`; default: the kit's appUrl is https. */
  secureCookies?: boolean
  /** What requireMember answers when `userOf` finds no signed-in user (e.g. a redirect to sign-in). */
  onSignedOut?: (c: Context) => Response | Promise<Response>
}

/** The impersonation cookie: `<impersonation id>:<tenant slug>`, signed, honoured on that tenant only. */
export const IMPERSONATION_COOKIE = 'fleetdeck_imp'

/** Methods that change nothing (RFC 9110 §9.2.1): the only ones a read-only session may use. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * The kit's Hono parts for `kit`:
 * - `routes`, to mount with `app.route('/_fleetdeck', routes)`: `GET /handoff?token=…` verifies
 *   and redeems a handoff, sets the impersonation cookie and redirects (303) to the tenant's home;
 *   `POST /impersonation/end` ends the session at Fleetdeck, clears the cookie and redirects to
 *   `GET /impersonation/ended`, a page saying so.
 * - `tenant`: resolves the tenant (403 suspended, 404 otherwise), honours this tenant's
 *   impersonation cookie (re-checked at most every 5 s; 410 and the cookie cleared once ended),
 *   refuses unsafe methods with 403 while read-only, and sets `c.var.fleetdeck`. A suspended
 *   tenant is shown to a read-only support session only (issue 8 item 2).
 * - `requireMember(userOf)`, after `tenant`: the impersonated user, or else `userOf(c)`, must be
 *   a member who is not disabled (403); sets `c.var.fleetdeck.member`.
 * Refusals go through `renderRefusal`. What throws: KitError when Fleetdeck cannot be asked
 * (unreachable, bad app key), left to the app's onError.
 */
export function fleetdeck<E extends FleetdeckEnv = FleetdeckEnv>(
  kit: Kit,
  options: FleetdeckOptions,
) {
  const tenantHome = options.tenantHome ?? ((slug: string) => `/t/${slug}/`)
  const render: Render = options.renderRefusal ?? ((c, r) => c.html(refusalHtml(r), r.status))
  const secure = options.secureCookies ?? kit.appUrl.startsWith('https://')
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'Lax', secure } as const
  const clearCookie = generateCookie(IMPERSONATION_COOKIE, '', { ...cookieOptions, maxAge: 0 })

  const refuse = async (
    c: Context,
    kind: RefusalKind | 'signed_out',
    extra: Partial<RefusalPage> = {},
  ) => render(c, { ...REFUSALS[kind], ...extra })
  const withClearedCookie = (response: Response) => {
    const copy = new Response(response.body, response)
    copy.headers.append('set-cookie', clearCookie)
    return copy
  }

  /** The impersonation cookie of this request: its id and slug, or why it is not there. */
  const readCookie = async (c: Context) => {
    const value = await getSignedCookie(c, options.cookieSecret, IMPERSONATION_COOKIE)
    if (value === undefined) return undefined
    const [id, slug] = value === false ? [] : value.split(':')
    return id && slug ? { id, slug } : ('forged' as const)
  }

  const routes = new Hono()
  // The token rides in the URL: keep it out of Referer headers and every cache (RFC 9700 §4.2).
  routes.use('*', async (c, next) => {
    await next()
    c.res = new Response(c.res.body, c.res)
    c.res.headers.set('Referrer-Policy', 'no-referrer')
    c.res.headers.set('Cache-Control', 'no-store')
  })

  routes.get('/handoff', async (c) => {
    const token = c.req.query('token')
    if (!token) return refuse(c, 'handoff_refused', { message: 'The support link has no token.' })
    let impersonation: Impersonation
    try {
      impersonation = await kit.redeemHandoff(token)
    } catch (error) {
      return refuseHandoff(c, error)
    }
    const value = `${impersonation.id}:${impersonation.tenant.slug}`
    const cookie = await generateSignedCookie(IMPERSONATION_COOKIE, value, options.cookieSecret, {
      ...cookieOptions,
      maxAge: Math.max(1, impersonation.secondsLeft),
    })
    c.header('set-cookie', cookie)
    return c.redirect(tenantHome(impersonation.tenant.slug), 303)
  })

  const refuseHandoff = (c: Context, error: unknown) => {
    if (!(error instanceof KitError) || error.status >= 500 || [401, 429].includes(error.status)) {
      throw error
    }
    if (error.status === 410) return refuse(c, 'impersonation_ended')
    return refuse(c, 'handoff_refused', {
      status: error.status === 409 ? 409 : 403,
      message:
        error.status === 409
          ? 'This support link has already been used. Start a new session from Fleetdeck.'
          : error.message,
    })
  }

  routes.post('/impersonation/end', async (c) => {
    const cookie = await readCookie(c)
    if (cookie && cookie !== 'forged') {
      try {
        await kit.endImpersonation(cookie.id)
      } catch (error) {
        if (!(error instanceof KitError && error.status === 404)) throw error
      }
    }
    c.header('set-cookie', clearCookie)
    return c.redirect(c.req.path.replace(/\/end$/, '/ended'), 303)
  })

  routes.get('/impersonation/ended', (c) =>
    c.html(
      refusalHtml({
        ...REFUSALS.impersonation_ended,
        message: 'You ended the support session. You can close this tab.',
      }),
    ),
  )

  /** This tenant's impersonation: the live view, 'ended', or undefined when there is none. */
  const impersonationOf = async (c: Context, slug: string) => {
    const cookie = await readCookie(c)
    // Not ours (a bad signature): forget it and carry on as the app's own user.
    if (cookie === 'forged') return void c.header('set-cookie', clearCookie, { append: true })
    if (!cookie || cookie.slug !== slug) return undefined
    const live = await kit.currentImpersonation(cookie.id)
    return live && live.tenant.slug === slug ? live : ('ended' as const)
  }

  const tenant: MiddlewareHandler<E> = async (app, next) => {
    const c = app as unknown as Context<FleetdeckEnv>
    const slug = options.tenantSlug(c)
    if (!slug) return refuse(c, 'tenant_not_found')
    const [resolved, impersonation] = await Promise.all([
      kit.resolveTenant(slug),
      impersonationOf(c, slug),
    ])
    if (impersonation === 'ended') return withClearedCookie(await refuse(c, 'impersonation_ended'))
    const readOnly = impersonation?.mode === 'read_only'
    const shown = resolved.ok || (resolved.reason === 'suspended' && readOnly)
    if (!shown || !resolved.tenant) {
      return refuse(
        c,
        resolved.ok || resolved.reason !== 'suspended' ? 'tenant_not_found' : 'tenant_suspended',
      )
    }
    if (readOnly && !SAFE_METHODS.has(c.req.method)) return refuse(c, 'read_only')
    c.set('fleetdeck', {
      tenant: resolved.tenant,
      entitlements: kit.entitlements(resolved.tenant),
      ...(impersonation ? { impersonation, banner: kit.bannerFor(impersonation) } : {}),
    })
    await next()
  }

  const requireMember =
    (
      userOf: (c: Context<E>) => MemberLookup | undefined,
      memberOptions: Pick<FleetdeckOptions, 'onSignedOut'> = {},
    ): MiddlewareHandler<E> =>
    async (app, next) => {
      const c = app as unknown as Context<FleetdeckEnv>
      const context = c.get('fleetdeck')
      if (!context) throw new Error('requireMember runs after the `tenant` middleware')
      const impersonated = context.impersonation?.user.id
      const who = impersonated ? { userId: impersonated } : userOf(app)
      if (!who) {
        const onSignedOut = memberOptions.onSignedOut ?? options.onSignedOut
        return onSignedOut ? onSignedOut(c) : refuse(c, 'signed_out')
      }
      const check = await kit.checkMember(context.tenant.slug, who)
      if (!check.ok)
        return refuse(c, check.reason === 'disabled' ? 'user_disabled' : 'not_a_member')
      c.set('fleetdeck', { ...context, member: check.member })
      await next()
    }

  return { routes, tenant, requireMember }
}
