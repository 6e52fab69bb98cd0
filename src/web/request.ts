import type { Context, MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AuditContext } from '../db/audit-log.js'
import { resolveClientIp } from './client-ip.js'
import type { AppEnv } from './env.js'
import { parsedForm } from './form-body.js'

/**
 * The client's address: the socket's peer, or the forwarded client when that peer is a proxy
 * TRUST_PROXY trusts (src/web/client-ip.ts). Computed once per request. Null only in-process, when
 * a test passes no `incoming` connection at all.
 * @throws HTTPException 400 when there is a connection but its address is gone: Node clears
 *   `socket.remoteAddress` once the client has closed its side, and an unknown address must never
 *   be recorded as such or compared with an allowlist.
 */
export function clientIp(c: Context<AppEnv>): string | null {
  const known = c.get('clientIp') as string | null | undefined
  if (known !== undefined) return known
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  if (!env?.incoming) {
    c.set('clientIp', null)
    return null
  }
  const ip = resolveClientIp(
    env.incoming.socket?.remoteAddress,
    c.req.header('x-forwarded-for'),
    c.var.trustProxy,
  )
  if (!ip) {
    throw new HTTPException(400, {
      message:
        'Your address could not be determined (the connection was closed); nothing was done.',
    })
  }
  c.set('clientIp', ip)
  return ip
}

/**
 * Refuses (400, before any other work) a request whose connection no longer has a peer
 * address — a half-closed socket — so no later step records or allowlist-checks "unknown".
 * @throws HTTPException 400
 */
export const requireClientAddress: MiddlewareHandler<AppEnv> = async (c, next) => {
  clientIp(c)
  await next()
}

/** Actor, request id, address, browser and API token (if any) of this request, for audit entries. */
export function auditContext(c: Context<AppEnv>): AuditContext {
  const operator = c.get('operator') as AppEnv['Variables']['operator'] | undefined
  const apiToken = c.get('apiToken') as AppEnv['Variables']['apiToken'] | undefined
  return {
    actor: operator ? { id: operator.id, email: operator.email } : null,
    apiTokenId: apiToken?.id ?? null,
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

/**
 * Reads a submitted form as plain strings: the last value of a repeated key, '' for a file, {} for
 * a body that is not a form. The body was parsed and checked once by readFormBody
 * (src/web/form-body.ts); without it (a bare sub-app), a body that does not parse is a 400.
 * @throws HTTPException 400
 */
export async function formFields(c: Context): Promise<Record<string, string>> {
  const form =
    parsedForm(c) ??
    (await c.req.parseBody().catch(() => {
      throw new HTTPException(400, {
        message: 'Malformed request: the form data could not be read.',
      })
    }))
  const fields: Record<string, string> = {}
  const entries = form instanceof FormData ? form.entries() : Object.entries(form)
  for (const [k, v] of entries) fields[k] = typeof v === 'string' ? v : ''
  return fields
}
