import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'
import type { KitMember } from '@fleetdeck/kit'
import type { BoardEnv } from './env.js'
import { Layout } from './views/layout.js'

// What every handler shares: the page in the layout (banner, navigation, flash), the flash
// itself, who may manage the workspace, and the tenant audit entry of a write.

const FLASH = 'board_flash'
/** Standards mode: JSX cannot write a doctype itself. */
export const DOCTYPE = raw('<!doctype html>')

/** The page `content` in the layout, with this request's banner, member and flash. */
export function renderPage(
  c: Context<BoardEnv>,
  title: string,
  content: Child,
  status: 200 | 403 | 404 | 409 | 422 | 429 | 503 = 200,
) {
  const { tenant, banner, member } = c.var.fleetdeck ?? {}
  const flash = getCookie(c, FLASH)
  if (flash) deleteCookie(c, FLASH, { path: '/' })
  return c.html(
    <>
      {DOCTYPE}
      <Layout
        title={title}
        tenant={tenant}
        banner={banner}
        member={member}
        features={c.var.features}
        flash={flash}
      >
        {content}
      </Layout>
    </>,
    status,
  )
}

/** A 303 to `path` that shows `message` once on the next page. */
export function redirectWithFlash(c: Context<BoardEnv>, path: string, message: string) {
  setCookie(c, FLASH, message, { path: '/', httpOnly: true, sameSite: 'Lax', maxAge: 60 })
  return c.redirect(path, 303)
}

/** Owners and admins manage members and may delete the board. */
export function canManage(member: Pick<KitMember, 'role'> | undefined): boolean {
  return member?.role === 'owner' || member?.role === 'admin'
}

/** The member of this request; set by the kit's requireMember, so absent only by a wiring bug. */
export function memberOf(c: Context<BoardEnv>): KitMember {
  const member = c.var.fleetdeck.member
  if (!member) throw new Error('this route must sit behind requireMember')
  return member
}

/**
 * Writes `action` to the tenant's audit log through Fleetdeck: as the member, or — while support
 * is impersonating — with the impersonation id, so Fleetdeck names both the operator and the user
 * (the app cannot forge either). Called before the write: when Fleetdeck refuses (the support
 * session has just ended), the write does not happen.
 */
export async function audit(
  c: Context<BoardEnv>,
  action: string,
  details: Record<string, unknown> = {},
) {
  const { tenant, impersonation } = c.var.fleetdeck
  await c.var.deps.kit.audit(
    tenant.slug,
    impersonation
      ? { action, details, impersonationId: impersonation.id }
      : { action, details, actorEmail: memberOf(c).email },
  )
}

/** The form fields of a POST as strings (absent ones as ''). */
export async function formOf(c: Context<BoardEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody()
  return Object.fromEntries(
    Object.entries(body).map(([key, value]) => [key, typeof value === 'string' ? value : '']),
  )
}
