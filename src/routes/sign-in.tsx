import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { deriveKey } from '../auth/encryption.js'
import { invalidateSession } from '../auth/session.js'
import { signInWithPassword, SIGN_IN_FAILED, SSO_ONLY, verifyTotp } from '../auth/sign-in.js'
import { signOut } from '../operators/account.js'
import { LoginPage, TotpPage } from '../views/auth/sign-in-pages.js'
import type { AppEnv } from '../web/env.js'
import { setFlash, type Flash } from '../web/flash.js'
import { formatDateTime } from '../views/format.js'
import { loadSession, safeNextPath } from '../web/guards.js'
import { auditContext, formFields, redirectTo } from '../web/request.js'
import { clearSessionCookie, writeSessionCookie } from '../web/session-cookie.js'

const passwordForm = z.object({ email: z.string().trim().max(320), password: z.string().max(1024) })
const TOO_MANY = 'Too many failed sign-ins from your address. Wait 15 minutes and try again.'
const codeForm = z.object({ code: z.string().trim().max(20) })
const BAD_CODE = 'That code is not valid. Wait for the next one and try again.'
const SIGN_IN = { title: 'Sign in' }
const TOTP = { title: 'Authentication code' }

/** Where sign-in goes on to: the local page the operator was on when their session ended. */
function nextPath(candidate: string | undefined): string {
  return safeNextPath(candidate)
}

/** `/login/totp`, carrying the page to return to when there is one. */
function totpStepUrl(next: string): string {
  return next === '/' ? '/login/totp' : `/login/totp?${new URLSearchParams({ next })}`
}

/** Why the last session ended, in the words the sign-in page uses (issue #6 item 16). */
function endedNotice(c: Context<AppEnv>, reason: string | undefined): Flash | undefined {
  const { sessionIdleSeconds, sessionAbsoluteSeconds } = c.var.deps.config
  const again = 'Sign in again to continue where you were.'
  const texts: Record<string, string> = {
    idle: `Your session ended after ${Math.round(sessionIdleSeconds / 60)} minutes without activity. ${again}`,
    absolute: `Your session ended: sessions last at most ${Math.round(sessionAbsoluteSeconds / 3600)} hours from sign-in. ${again}`,
    'signed-out': `You were signed out: in another window or device, by an owner, or after your session expired. ${again}`,
    deactivated: 'Your session has ended.',
  }
  const text = reason === undefined ? undefined : texts[reason]
  return text ? { kind: 'info', text } : undefined
}

export const signInRoutes = new Hono<AppEnv>()

/** The sign-in form again, with what was typed (never the password) and why it was refused. */
function renderLogin(
  c: Context<AppEnv>,
  status: 401 | 429,
  props: { email?: string; error: string; next?: string },
) {
  c.status(status)
  return c.render(<LoginPage {...props} />, SIGN_IN)
}

signInRoutes.get('/login', async (c) => {
  const found = await loadSession(c)
  const next = nextPath(c.req.query('next'))
  if (found?.session.twoFactorVerified) return c.redirect(next, 303)
  if (!c.var.flash) c.set('flash', endedNotice(c, c.req.query('ended')))
  return c.render(<LoginPage next={next} />, SIGN_IN)
})

signInRoutes.post('/login', async (c) => {
  const fields = await formFields(c)
  const next = nextPath(fields.next)
  const form = passwordForm.safeParse(fields)
  if (!form.success) return renderLogin(c, 401, { error: SIGN_IN_FAILED, next })
  const { email, password } = form.data
  const result = await signInWithPassword(c.var.db, auditContext(c), email, password, c.var.now())
  if (!result.ok && result.rateLimited) return renderLogin(c, 429, { email, error: TOO_MANY, next })
  // Only after the right password: the operator must use their identity provider (issue 14).
  if (!result.ok && result.ssoOnly) return renderLogin(c, 401, { email, error: SSO_ONLY, next })
  if (!result.ok) return renderLogin(c, 401, { email, error: SIGN_IN_FAILED, next })
  writeSessionCookie(c, result.token)
  return redirectTo(c, result.admin.mfaEnabled ? totpStepUrl(next) : '/enrol/totp')
})

signInRoutes.get('/login/totp', async (c) => {
  const found = await loadSession(c)
  const next = nextPath(c.req.query('next'))
  if (!found) return c.redirect('/login', 303)
  if (found.session.twoFactorVerified) return c.redirect(next, 303)
  if (!found.admin.mfaEnabled) return c.redirect('/enrol/totp', 303)
  return c.render(<TotpPage email={found.admin.email} next={next} />, TOTP)
})

signInRoutes.post('/login/totp', async (c) => {
  const found = await loadSession(c)
  if (!found || found.session.twoFactorVerified || !found.admin.mfaEnabled)
    return c.redirect('/login', 303)
  const form = codeForm.safeParse(await formFields(c))
  const code = form.success ? form.data.code : ''
  const key = deriveKey(c.var.deps.config.secretKey, 'totp-secret')
  const result = await verifyTotp(
    c.var.db,
    auditContext(c),
    found.admin,
    found.session,
    code,
    key,
    c.var.now(),
    'sign-in',
  )
  if (!result.ok && result.locked) return endHalfSession(c, found.session.id)
  const next = nextPath(c.req.query('next'))
  if (!result.ok) {
    c.status(401)
    return c.render(<TotpPage email={found.admin.email} error={BAD_CODE} next={next} />, TOTP)
  }
  writeSessionCookie(c, result.token)
  if (result.replayNotice) await setFlash(c, replayFlash(result.replayNotice))
  return redirectTo(c, next)
})

/** A locked account's half session ends; the page says no more than a wrong password would. */
async function endHalfSession(c: Context<AppEnv>, sessionId: string) {
  await invalidateSession(c.var.db, sessionId)
  clearSessionCookie(c)
  return renderLogin(c, 401, { error: SIGN_IN_FAILED })
}

/** Told once, at the next sign-in, that a code of theirs was presented a second time. */
export function replayFlash(notice: { at: Date; ip: string | null }): Flash {
  return {
    kind: 'error',
    text: `Warning: on ${formatDateTime(notice.at)} someone${notice.ip ? ` at ${notice.ip}` : ''} presented one of your TOTP codes a second time; it was refused. If that was not you, your password and authenticator may be exposed: ask an owner to reset your TOTP.`,
  }
}

signInRoutes.post('/logout', async (c) => {
  const found = await loadSession(c)
  clearSessionCookie(c)
  if (!found) return redirectTo(c, '/login')
  await signOut(c.var.db, auditContext(c), found.admin, found.session.id, c.var.now())
  return redirectTo(c, '/login')
})
