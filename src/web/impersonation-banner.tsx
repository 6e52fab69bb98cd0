import type { MiddlewareHandler } from 'hono'
import { findAppKey } from '../db/app-keys.js'
import { findOpenImpersonation } from '../db/impersonations.js'
import { ImpersonationBanner } from '../views/impersonations/impersonation-banner.js'
import type { AppEnv } from './env.js'
import { allowFormActionTo } from './hardening.js'
import { wantsFragment } from './render.js'

/**
 * The operator's active impersonation, as the banner every full console page shows
 * (`c.var.impersonationBanner`, DESIGN.md §6). Looked up only when the session says there is
 * one, and not for fragments: the page around them has its banner. Runs after
 * requireConsoleSession.
 */
export const resolveImpersonationBanner: MiddlewareHandler<AppEnv> = async (c, next) => {
  // The session's own statement said whether there is one (src/auth/session.ts).
  if (c.var.session.activeImpersonationId && !wantsFragment(c)) {
    const now = c.var.now()
    const imp = await findOpenImpersonation(c.var.db, c.var.operator.id)
    if (imp && imp.expiresAt > now) {
      c.set('impersonationBanner', <ImpersonationBanner impersonation={imp} now={now} />)
      const app = imp.appKeyId ? await findAppKey(c.var.db, imp.appKeyId) : undefined
      // "Open app" answers with a redirect to the tenant app (see allowFormActionTo).
      if (app) allowFormActionTo(c, [app.appUrl])
    }
  }
  await next()
}
