import type { Context } from 'hono'
import type { AuditContext } from '../db/audit-log.js'
import { resolveClientIp } from './client-ip.js'
import type { AppEnv } from './env.js'

/**
 * The client's address: the socket's peer, or the forwarded client when that peer is a proxy
 * TRUST_PROXY trusts (src/web/client-ip.ts). Computed once per request. Null in-process when the
 * test passes no `incoming` socket.
 */
export function clientIp(c: Context<AppEnv>): string | null {
  const known = c.get('clientIp') as string | null | undefined
  if (known !== undefined) return known
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  const ip = resolveClientIp(
    env?.incoming?.socket?.remoteAddress,
    c.req.header('x-forwarded-for'),
    c.var.trustProxy,
  )
  c.set('clientIp', ip)
  return ip
}

/** Actor, request id, address and browser of this request, for audit entries. */
export function auditContext(c: Context<AppEnv>): AuditContext {
  const operator = c.get('operator') as AppEnv['Variables']['operator'] | undefined
  return {
    actor: operator ? { id: operator.id, email: operator.email } : null,
    requestId: c.var.requestId,
    ip: clientIp(c),
    userAgent: c.req.header('user-agent')?.slice(0, 400) ?? null,
  }
}

/** True for requests made by htmx (it sends `HX-Request: true`). */
export function isHtmx(c: Context): boolean {
  return c.req.header('hx-request') === 'true'
}

/**
 * Redirects after a form post: a 303 for plain browsers, `HX-Redirect` for htmx (which would
 * otherwise follow the redirect and swap a whole page into a fragment).
 */
export function redirectTo(c: Context, url: string): Response {
  if (isHtmx(c)) {
    c.header('HX-Redirect', url)
    return c.body(null, 200)
  }
  return c.redirect(url, 303)
}

/** Reads a submitted form as plain strings (files and repeated keys are not expected). */
export async function formFields(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody()
  return Object.fromEntries(
    Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : '']),
  )
}
