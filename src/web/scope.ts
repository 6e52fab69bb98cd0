import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, getSignedCookie, setSignedCookie } from 'hono/cookie'
import { jsx } from 'hono/jsx'
import { z } from 'zod'
import { cookieSigningKey } from '../auth/cookie-secret.js'
import { findTenantRefs, type TenantRef } from '../db/tenant-refs.js'
import { ALL_TENANTS, type TenantScope } from '../db/tenant-scope.js'
import { isUuid } from '../db/tenants.js'
import { ScopeBar } from '../views/scope/scope-bar.js'
import type { AppEnv } from './env.js'
import { setFlash, type Flash } from './flash.js'
import { wantsFragment } from './render.js'

// Admin mode and the customer picker (issue 7 item 5, seed 001, DESIGN.md §11): one signed cookie
// holds the operator's choice, this middleware reads it once per console request into
// `c.var.scope`, and routes hand `c.var.scope.filter` to every list and KPI query. Lists never
// read the cookie. The cookie holds no secret (tenant ids only), so it outlives the session and
// the choice survives signing out and in again (seed 001: "persists across sessions").

export const SCOPE_MODES = ['all', 'customer'] as const
export type ScopeMode = (typeof SCOPE_MODES)[number]

/** How many recently viewed tenants the cookie keeps (issue 7 item 5). */
export const RECENT_LIMIT = 8

/** The scope of one console request (`c.var.scope`). */
export type Scope = {
  /** `all`: every list covers every tenant; `customer`: only `tenant`'s rows. */
  mode: ScopeMode
  /** The customer a `customer` scope narrows to; undefined in mode `all`. */
  tenant?: TenantRef
  /** Tenant ids viewed lately, most recent first, at most RECENT_LIMIT, no duplicates. */
  recent: string[]
  /** What every list and KPI query takes: `{ tenantId }` in mode customer, `{}` in mode all. */
  filter: TenantScope
}

/** Every customer, nothing viewed yet: a browser without the cookie. */
export const DEFAULT_SCOPE: Scope = Object.freeze({ mode: 'all', recent: [], filter: ALL_TENANTS })

/** The cookie's content: the choice and the recent list, ids only. */
export type ScopeCookie = { mode: ScopeMode; tenant?: string; recent: string[] }

const uuid = z
  .string()
  .refine(isUuid)
  .transform((id) => id.toLowerCase())
const cookieSchema = z
  .object({
    mode: z.enum(SCOPE_MODES),
    tenant: uuid.optional(),
    recent: z.array(uuid).max(RECENT_LIMIT),
  })
  .refine((v) => (v.mode === 'customer') === (v.tenant !== undefined))

/** The cookie's text as a ScopeCookie, or undefined when it is not one (old format, edited). */
export function parseScopeCookie(text: string): ScopeCookie | undefined {
  try {
    const parsed = cookieSchema.safeParse(JSON.parse(text))
    return parsed.success ? { ...parsed.data, recent: [...new Set(parsed.data.recent)] } : undefined
  } catch {
    return undefined
  }
}

/** `recent` with `id` moved to the front: most recent first, no duplicates, at most 8. */
export function withRecent(recent: readonly string[], id: string): string[] {
  const key = id.toLowerCase()
  return [key, ...recent.filter((r) => r !== key)].slice(0, RECENT_LIMIT)
}

// About 400 days, the longest a browser keeps a cookie (RFC 6265bis): the choice is a preference.
const MAX_AGE_SECONDS = 400 * 24 * 3600 - 60

function cookieName(c: Context<AppEnv>): string {
  // Like the session cookie (src/web/session-cookie.ts): __Host- needs Secure, so plain-http
  // development uses the bare name.
  return c.var.deps.config.secureCookies ? '__Host-fleetdeck_scope' : 'fleetdeck_scope'
}

// Its own purpose, so a flash or session value never verifies here; the rotatable cookie secret
// is mixed in, so rotating the super-admin secret voids every scope cookie (cookie-secret.ts).
function scopeKey(c: Context<AppEnv>): Promise<string> {
  // The settings cache is keyed on the app's root database handle (src/db/settings.ts).
  const { deps, now } = c.var
  return cookieSigningKey(deps.database.db, deps.config.secretKey, 'scope-cookie', now().getTime())
}

/**
 * The cookie as sent: `absent`, `invalid` (signature fails, or the value does not parse), or
 * its content. Security: only the signature makes the content trusted; the tenant it names is
 * still checked against the database by `resolveScope`.
 */
export async function readScopeCookie(
  c: Context<AppEnv>,
): Promise<ScopeCookie | 'absent' | 'invalid'> {
  if (getCookie(c, cookieName(c)) === undefined) return 'absent'
  const value = await getSignedCookie(c, await scopeKey(c), cookieName(c))
  return (typeof value === 'string' && parseScopeCookie(value)) || 'invalid'
}

/** Writes the scope cookie: signed, HttpOnly, SameSite=Strict, Secure over https. */
export async function writeScopeCookie(c: Context<AppEnv>, value: ScopeCookie): Promise<void> {
  const secure = c.var.deps.config.secureCookies
  await setSignedCookie(c, cookieName(c), JSON.stringify(value), await scopeKey(c), {
    httpOnly: true,
    sameSite: 'Strict',
    secure,
    path: '/',
    maxAge: MAX_AGE_SECONDS,
  })
}

function clearScopeCookie(c: Context<AppEnv>): void {
  deleteCookie(c, cookieName(c), { path: '/', secure: c.var.deps.config.secureCookies })
}

/**
 * Reads the scope into `c.var.scope` and its top bar into `c.var.scopeBar`, for every console
 * request (after requireConsoleSession, so strangers cost no lookup). Mode `all` costs no query;
 * mode `customer` one primary-key lookup of the tenant's name. A cookie that fails its signature
 * or does not parse is ignored and removed; one naming a tenant that is gone or deleted falls
 * back to `all`, with a flash that says so.
 */
export const resolveScope: MiddlewareHandler<AppEnv> = async (c, next) => {
  const scope = await scopeFromCookie(c)
  c.set('scope', scope)
  c.set('scopeBar', jsx(ScopeBar, { scope, next: currentPath(c) }))
  await next()
}

async function scopeFromCookie(c: Context<AppEnv>): Promise<Scope> {
  const cookie = await readScopeCookie(c)
  if (cookie === 'absent') return DEFAULT_SCOPE
  if (cookie === 'invalid') {
    clearScopeCookie(c)
    return DEFAULT_SCOPE
  }
  const { mode, tenant: tenantId, recent } = cookie
  if (mode === 'all' || !tenantId) return { mode: 'all', recent, filter: ALL_TENANTS }
  const [found] = await findTenantRefs(c.var.db, [tenantId])
  if (found && found.status !== 'deleted') {
    const tenant = { id: found.id, slug: found.slug, name: found.name }
    return { mode, tenant, recent, filter: { tenantId: tenant.id } }
  }
  const fallback: ScopeCookie = { mode: 'all', recent: recent.filter((id) => id !== tenantId) }
  await writeScopeCookie(c, fallback)
  await tell(c, {
    kind: 'info',
    text: found
      ? `${found.name} (${found.slug}) was deleted: the console shows all customers again.`
      : 'The customer this browser was scoped to no longer exists: the console shows all customers again.',
  })
  return { mode: 'all', recent: fallback.recent, filter: ALL_TENANTS }
}

/**
 * Shows `flash` on this page when it is one, else queues it for the page that follows. It takes
 * the place of a message queued before: "Scoped to X" would now be untrue.
 */
async function tell(c: Context<AppEnv>, flash: Flash): Promise<void> {
  if (c.req.method === 'GET' && !wantsFragment(c)) c.set('flash', flash)
  else await setFlash(c, flash)
}

/** Where the scope's forms come back to: this page (a GET's query included). */
function currentPath(c: Context<AppEnv>): string {
  if (c.req.method !== 'GET') return c.req.path
  const search = new URL(c.req.url).search
  return c.req.path + search
}

/**
 * Narrows the console to `tenant` (and records it as recently viewed), or widens it to every
 * customer; takes effect from the next request.
 */
export async function setScope(c: Context<AppEnv>, tenant?: TenantRef): Promise<void> {
  const recent = c.var.scope?.recent ?? []
  await writeScopeCookie(
    c,
    tenant
      ? { mode: 'customer', tenant: tenant.id, recent: withRecent(recent, tenant.id) }
      : { mode: 'all', recent },
  )
}

/** Records `tenantId` as the most recently viewed tenant (the tenant page calls this). */
export async function rememberViewedTenant(c: Context<AppEnv>, tenantId: string): Promise<void> {
  const scope = c.var.scope ?? DEFAULT_SCOPE
  // Already first: nothing to write, and the page saves a Set-Cookie.
  if (scope.recent[0] === tenantId.toLowerCase()) return
  await writeScopeCookie(c, {
    mode: scope.mode,
    tenant: scope.tenant?.id,
    recent: withRecent(scope.recent, tenantId),
  })
}
