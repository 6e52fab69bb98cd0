import type { Context, MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { NONCE, secureHeaders } from 'hono/secure-headers'
import type { Config } from '../config.js'
import type { AppEnv } from './env.js'
import { parsedForm } from './form-body.js'

/**
 * Security headers on every response (issue #3; OWASP ASVS 5.0 §3.4): a Content-Security-Policy
 * with a fresh nonce per response — scripts only from our origin (htmx and app.js are files in
 * /public, htmx is configured without eval and without injected styles) —, nosniff,
 * same-origin referrers, no framing, and HSTS only when served over https.
 *
 * Files under /public (scripts, styles, the icon) are not documents: framing, referrer and page
 * CSP headers do nothing there and cost ~400 bytes on each of a cold page load's four asset
 * requests (issue 6 item 22's 30 KB). They keep what applies to them: no sniffing, no embedding
 * from other sites, HSTS, and for the SVG, which a browser may open as a document, a CSP that
 * allows nothing active.
 */
export function securityHeaders(config: Config): MiddlewareHandler<AppEnv> {
  const forPages = pageSecurityHeaders(config)
  return async (c, next) => {
    if (!c.req.path.startsWith('/public/')) {
      await forPages(c, next)
      return widenFormAction(c)
    }
    await next()
    const headers = c.res.headers
    headers.set('X-Content-Type-Options', 'nosniff')
    headers.set('Cross-Origin-Resource-Policy', 'same-origin')
    if (config.secureCookies) headers.set('Strict-Transport-Security', HSTS)
    if (headers.get('content-type')?.startsWith('image/svg+xml')) {
      headers.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
    }
  }
}

const HSTS = 'max-age=31536000; includeSubDomains'

const formActionOrigins = new WeakMap<Context, Set<string>>()

/**
 * Lets this page's forms lead to `urls`' origins too. Browsers apply `form-action` to the
 * redirects after a form post, so the forms that start an impersonation or open its app (a
 * 303 to the tenant app's handoff address) need the app's origin allowed — on that page only.
 */
export function allowFormActionTo(c: Context, urls: string[]): void {
  const origins = formActionOrigins.get(c) ?? new Set<string>()
  for (const url of urls) {
    try {
      const { origin, protocol } = new URL(url)
      if (protocol === 'https:' || protocol === 'http:') origins.add(origin)
    } catch {
      // An app URL that does not parse gets no exception; its handoff will not be followed.
    }
  }
  formActionOrigins.set(c, origins)
}

function widenFormAction(c: Context): void {
  const origins = formActionOrigins.get(c)
  const csp = c.res.headers.get('Content-Security-Policy')
  if (!origins?.size || !csp) return
  const extra = [...origins].join(' ')
  c.res.headers.set(
    'Content-Security-Policy',
    csp.replace("form-action 'self'", `form-action 'self' ${extra}`),
  )
}

function pageSecurityHeaders(config: Config): MiddlewareHandler<AppEnv> {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", NONCE],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
    },
    referrerPolicy: 'same-origin',
    xFrameOptions: 'DENY',
    strictTransportSecurity: config.secureCookies ? HSTS : false,
    crossOriginEmbedderPolicy: false,
    xXssProtection: false,
  })
}

/**
 * Console pages carry operator data: never store them in any cache. Static files may be cached,
 * and so may the JWKS (public keys, `public, max-age=60`) — but only the caching its handler set
 * on a success: an error there is still no-store. Kit API answers the kit revalidates (a tenant,
 * a member: `private, no-cache` with an ETag) keep theirs on a 200 and on the 304 that confirms
 * one, since a no-store there would forbid the very copy being revalidated.
 */
export const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next()
  const path = c.req.path
  if (path.startsWith('/public/')) return
  const success = c.res.ok || (c.res.status === 304 && isAppKeyPath(path))
  if (choosesOwnCaching(path) && success && c.res.headers.has('Cache-Control')) return
  // On the response's own headers: `c.header()` after `next()` rebuilds the finished response
  // as a stream (Hono checks `bodyUsed`), which costs more than rendering a page's rows.
  c.res.headers.set('Cache-Control', 'no-store')
}

/** Paths outside /public whose handlers choose their own Cache-Control: public data only. */
const CACHEABLE_PATHS = new Set(['/.well-known/jwks.json'])

/** The JWKS, and the kit API and OFREP, whose handlers set `private, no-cache` where they revalidate. */
function choosesOwnCaching(path: string): boolean {
  return CACHEABLE_PATHS.has(path) || isAppKeyPath(path)
}

/** The kit API and OFREP: tenant apps' servers call them with an app key, never a cookie. */
function isAppKeyPath(path: string): boolean {
  return path.startsWith('/kit/') || path.startsWith('/ofrep/')
}

/**
 * Origin check for Hono's csrf middleware: the request's own origin, or PUBLIC_URL's when a
 * TLS-terminating proxy makes the two differ (https outside, http inside).
 */
export function sameOriginOr(publicUrl: string) {
  const publicOrigin = new URL(publicUrl).origin
  return (origin: string, c: Context) =>
    origin === publicOrigin || origin === new URL(c.req.url).origin
}

/**
 * Cross-site request forgery guard for every unsafe request (POST, DELETE, …), whatever its
 * content type. Hono's csrf checks only the types a cross-site form can send without a preflight
 * (urlencoded, multipart, text/plain); a JSON or XML body was let through on the grounds that it
 * needs CORS, which Fleetdeck never grants — one CORS header added by a proxy away from a hole.
 * Here the request passes only when the
 * browser says it is same-origin (`Sec-Fetch-Site`) or its Origin is ours (`isOurOrigin`,
 * sameOriginOr). `except` lists path prefixes of groups that authenticate without cookies (API
 * tokens, webhook signatures), which a forged cross-site request cannot borrow.
 * @throws HTTPException 403
 */
export function requireSameOrigin(
  isOurOrigin: (origin: string, c: Context) => boolean,
  options: { except?: readonly string[] } = {},
): MiddlewareHandler<AppEnv> {
  const except = options.except ?? []
  return async (c, next) => {
    if (/^(GET|HEAD|OPTIONS)$/.test(c.req.method)) return next()
    if (except.some((prefix) => c.req.path.startsWith(prefix))) return next()
    const origin = c.req.header('origin')
    if (c.req.header('sec-fetch-site') !== 'same-origin' && !(origin && isOurOrigin(origin, c))) {
      throw new HTTPException(403, {
        message: 'Cross-site request refused: only pages of Fleetdeck itself may send this.',
      })
    }
    await next()
  }
}

/**
 * Forms without JavaScript may ask for DELETE with `_method=DELETE`; any other `_method` value
 * is refused with 400 before Hono's methodOverride would turn it into an invalid request (found
 * by the property tests: `_method=' '` answered 500). Reads the form readFormBody parsed.
 */
export const onlyDeleteOverride: MiddlewareHandler<AppEnv> = async (c, next) => {
  // Hono's methodOverride takes the LAST `_method`; refuse repeats rather than guess.
  const methods = parsedForm(c)?.getAll('_method') ?? []
  if (methods.length > 1 || (methods.length === 1 && methods[0] !== 'DELETE')) {
    throw new HTTPException(400, { message: 'Unsupported _method: forms may only ask for DELETE.' })
  }
  await next()
}

/**
 * With PUBLIC_URL set, a request must be addressed to its host. A page on another site that
 * re-points its own name at Fleetdeck's address (DNS rebinding) sends its own Host: refused
 * with 421 before anything else runs, so it cannot drive /login from an allowlisted network.
 * Health probes answer whatever the Host, for load balancers that use the bare address, and so
 * does /metrics when METRICS_TOKEN is set, for Prometheus scraping an instance by its address (a
 * rebound page holds no token). Without a token /metrics keeps the Host check: a rebound page in
 * a browser on this host is a loopback peer.
 */
export function requirePublicHost(config: Config): MiddlewareHandler<AppEnv> {
  const expected = new URL(config.publicUrl).host
  const anyHost = config.metricsToken ? /^\/(healthz|readyz|metrics)$/ : /^\/(healthz|readyz)$/
  return async (c, next) => {
    if (!config.publicUrlExplicit || anyHost.test(c.req.path)) return next()
    // @hono/node-server builds the request URL from the Host header.
    if (new URL(c.req.url).host.toLowerCase() !== expected) {
      return c.text(`Misdirected request: Fleetdeck answers at ${config.publicUrl}`, 421)
    }
    await next()
  }
}
