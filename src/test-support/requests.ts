import type { App } from '../app.js'
import { TOTP_PERIOD_SECONDS } from '../auth/totp.js'
import { totpCode, type TestAdmin } from './factories.js'
import type { TestClock } from './test-app.js'

// Requests as a browser sends them, through `app.request()`: forms with Origin, pages with the
// session cookie, sign-in through the real password and TOTP steps.

/** The cookie that carries the session when PUBLIC_URL is plain http (every test). */
export const SESSION_COOKIE = 'fleetdeck_session'

/** The origin of every test app (PUBLIC_URL's default); forms post from here. */
export const SAME_ORIGIN = 'http://localhost'

/** An operator's own address in tests, inside 203.0.113.0/24 (TEST-NET-3, RFC 5737). */
export const OPERATOR_IP = '203.0.113.7'

/** An address outside every allowlist the tests save (TEST-NET-2, RFC 5737). */
export const OUTSIDE_IP = '198.51.100.9'

/** Another site's origin, for cross-site requests. */
export const EVIL_ORIGIN = 'https://evil.example'

/** `name=value` of one cookie set by the response, or undefined. */
export function cookieFrom(res: Response, name: string = SESSION_COOKIE): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';')
    const eq = pair.indexOf('=')
    if (pair.slice(0, eq).trim() === name && pair.slice(eq + 1) !== '') return pair.trim()
  }
  return undefined
}

/** The session id inside a `fleetdeck_session=<id>.<secret>` cookie. */
export function sessionId(cookie: string): string {
  return cookie.split('=')[1].split('.')[0]
}

/** A form post, as a browser without JavaScript sends it. */
export function postForm(
  app: App,
  path: string,
  fields: Record<string, string>,
  cookie?: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return sendForm(app, 'POST', path, fields, cookie, headers)
}

/** A form-encoded request with any verb (htmx sends DELETE itself). */
export async function sendForm(
  app: App,
  method: string,
  path: string,
  fields: Record<string, string>,
  cookie?: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return app.request(path, {
    method,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      // Browsers send Origin on every form post; the CSRF check refuses posts without it.
      origin: SAME_ORIGIN,
      ...(cookie ? { cookie } : {}),
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  })
}

/** A GET with the session cookie and optional headers (`HX-Request`, …). */
export async function getPage(
  app: App,
  path: string,
  cookie?: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return app.request(path, { headers: { ...(cookie ? { cookie } : {}), ...headers } })
}

export type SendOptions = {
  fields?: Record<string, string>
  cookie?: string
  /** The socket peer's address (`c.env.incoming.socket.remoteAddress`). */
  ip?: string
  /** Origin header; same-origin unless given, none with null. */
  origin?: string | null
  headers?: Record<string, string>
}

/**
 * One request as a browser sends it, from the socket address `o.ip` when given: what the
 * per-address limits and the IP allowlists see.
 */
export async function send(
  app: App,
  method: string,
  path: string,
  o: SendOptions = {},
): Promise<Response> {
  const unsafe = method !== 'GET' && method !== 'HEAD'
  const origin = o.origin === undefined ? SAME_ORIGIN : o.origin
  const headers: Record<string, string> = {
    ...(o.fields ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    ...(unsafe && origin !== null ? { origin } : {}),
    ...(o.cookie ? { cookie: o.cookie } : {}),
    ...o.headers,
  }
  const body = o.fields ? new URLSearchParams(o.fields).toString() : undefined
  const env = o.ip ? { incoming: { socket: { remoteAddress: o.ip } } } : undefined
  return app.request(path, { method, headers, body }, env)
}

/** The password step of `who` (their own password unless `o.password`), through `send`. */
export function login(
  app: App,
  who: TestAdmin,
  o: Omit<SendOptions, 'fields'> & { password?: string } = {},
): Promise<Response> {
  const password = o.password ?? who.password
  return send(app, 'POST', '/login', { ...o, fields: { email: who.admin.email, password } })
}

/** The password step alone: returns the half-session cookie (`fleetdeck_session=…`). */
export async function signInWithPasswordOnly(app: App, who: TestAdmin): Promise<string> {
  const res = await postForm(app, '/login', { email: who.admin.email, password: who.password })
  const cookie = cookieFrom(res)
  if (res.status !== 303 || !cookie) throw new Error(`password step failed: ${res.status}`)
  return cookie
}

/**
 * Password and TOTP through the real routes; returns the full-session cookie header. The clock
 * moves one TOTP step first, because each step is accepted once per admin (RFC 6238 §5.2).
 */
export async function signIn(app: App, who: TestAdmin, clock: TestClock): Promise<string> {
  clock.advance(TOTP_PERIOD_SECONDS * 1000)
  const half = await signInWithPasswordOnly(app, who)
  const res = await postForm(app, '/login/totp', { code: totpCode(who.totpKey, clock.now()) }, half)
  const cookie = cookieFrom(res)
  if (res.status !== 303 || !cookie) throw new Error(`TOTP step failed: ${res.status}`)
  return cookie
}

/** `signIn` from the socket address `ip` (what the allowlists check); one TOTP step later. */
export async function signInFrom(
  app: App,
  clock: TestClock,
  who: TestAdmin,
  ip: string,
): Promise<string> {
  clock.advance(TOTP_PERIOD_SECONDS * 1000)
  const half = cookieFrom(await login(app, who, { ip }))
  if (!half) throw new Error(`password step from ${ip} failed`)
  const code = totpCode(who.totpKey, clock.now())
  const res = await send(app, 'POST', '/login/totp', { fields: { code }, cookie: half, ip })
  const cookie = cookieFrom(res)
  if (res.status !== 303 || !cookie) throw new Error(`sign-in from ${ip} failed: ${res.status}`)
  return cookie
}
