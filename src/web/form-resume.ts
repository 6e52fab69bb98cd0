import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, getSignedCookie, setSignedCookie } from 'hono/cookie'
import { cookieSigningKey } from '../auth/cookie-secret.js'
import type { AppEnv } from './env.js'
import { wantsFragment } from './render.js'

// Issue #6 item 15: a form sent into step-up is not lost. The step-up guard keeps what was typed
// (never a secret) in a short-lived signed cookie; the page step-up returns to hands it to
// public/app.js, which fills the same form again and brings it into view.

/** A form to fill again: where it posts, with which verb, and its non-secret fields. */
export type ResumedForm = { action: string; method: string; fields: Record<string, string> }

const RESUME_COOKIE = 'fleetdeck_resume'
/** As long as a step-up may take; the cookie is useless afterwards. */
const RESUME_SECONDS = 10 * 60
/** Browsers keep cookies up to 4 KB; a bigger form is not kept rather than cut. */
const MAX_JSON_LENGTH = 3000
/** Names of fields that are never kept: passwords, codes, tokens, keys, and the verb override. */
const SECRET_FIELD = /pass|secret|code|token|otp|key|^_method$/i

// The rotatable cookie secret is mixed in (src/auth/cookie-secret.ts).
function resumeKey(c: Context<AppEnv>): Promise<string> {
  // The settings cache is keyed on the app's root database handle (src/db/settings.ts).
  const { deps, now } = c.var
  return cookieSigningKey(
    deps.database.db,
    deps.config.secretKey,
    'form-resume-cookie',
    now().getTime(),
  )
}

/** The fields of a submitted form that may be shown again: strings, and no secret by name. */
export function keepableFields(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).filter(([name, value]) => !SECRET_FIELD.test(name) && value !== ''),
  )
}

/**
 * Keeps the form of this request for the page at `returnTo` (a safe local path). The form is
 * named by its action (this request's path) and verb, as the page's own form declares them.
 */
export async function rememberForm(
  c: Context<AppEnv>,
  returnTo: string,
  fields: Record<string, string>,
): Promise<void> {
  const kept = keepableFields(fields)
  if (Object.keys(kept).length === 0) return
  const value = JSON.stringify({
    returnTo,
    action: c.req.path,
    method: c.req.method,
    fields: kept,
  })
  if (value.length > MAX_JSON_LENGTH) return
  await setSignedCookie(c, RESUME_COOKIE, value, await resumeKey(c), {
    httpOnly: true,
    sameSite: 'Strict',
    secure: c.var.deps.config.secureCookies,
    path: '/',
    maxAge: RESUME_SECONDS,
  })
}

/**
 * The kept form when this GET is the page it was kept for (then the cookie is cleared); any
 * other page leaves it in place, so the step-up page in between does not use it up.
 */
export async function takeResumedForm(c: Context<AppEnv>): Promise<ResumedForm | undefined> {
  // Runs on every console page: no key derivation or signature check when nothing was kept.
  if (c.req.method !== 'GET' || getCookie(c, RESUME_COOKIE) === undefined) return undefined
  const raw = await getSignedCookie(c, await resumeKey(c), RESUME_COOKIE)
  if (raw === undefined) return undefined
  const here = c.req.path + (new URL(c.req.url).search || '')
  try {
    const kept = raw === false ? undefined : (JSON.parse(raw) as ResumedForm & { returnTo: string })
    if (kept && kept.returnTo !== here) return undefined
    deleteCookie(c, RESUME_COOKIE, { path: '/' })
    if (!kept || typeof kept.action !== 'string' || typeof kept.fields !== 'object')
      return undefined
    return { action: kept.action, method: kept.method, fields: keepableFields(kept.fields) }
  } catch {
    deleteCookie(c, RESUME_COOKIE, { path: '/' })
    return undefined
  }
}

/** Puts the kept form into `c.var.resumedForm` for the console layout on every full page. */
export const takeResumedFormForPage: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!wantsFragment(c)) c.set('resumedForm', await takeResumedForm(c))
  await next()
}
