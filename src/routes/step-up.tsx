import { Hono } from 'hono'
import { deriveKey } from '../auth/encryption.js'
import { invalidateSession } from '../auth/session.js'
import { verifyTotp } from '../auth/sign-in.js'
import { StepUpPage } from '../views/auth/step-up-page.js'
import { authRenderer } from '../web/render.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { safeNextPath } from '../web/guards.js'
import { auditContext, formFields, redirectTo } from '../web/request.js'
import { clearSessionCookie, writeSessionCookie } from '../web/session-cookie.js'

/** Step-up: a fresh TOTP code for sensitive actions; the session id rotates after it. */
export const stepUpRoutes = new Hono<AppEnv>()

const STEP_UP = { title: 'Confirm it is you' }

// A console route (it needs the full session) drawn as the narrow card of the sign-in pages.
stepUpRoutes.use(authRenderer)

stepUpRoutes.get('/', (c) =>
  c.render(
    <StepUpPage email={c.var.operator.email} next={safeNextPath(c.req.query('next'))} />,
    STEP_UP,
  ),
)

stepUpRoutes.post('/', async (c) => {
  const next = safeNextPath(c.req.query('next'))
  const code = String((await formFields(c)).code ?? '').slice(0, 20)
  const key = deriveKey(c.var.deps.config.secretKey, 'totp-secret')
  const result = await verifyTotp(
    c.var.db,
    auditContext(c),
    c.var.operator,
    c.var.session,
    code,
    key,
    c.var.now(),
    'step-up',
  )
  // The lock ends this session in the database too: clearing the cookie alone would leave a
  // stolen one usable.
  if (!result.ok && result.locked) {
    await invalidateSession(c.var.db, c.var.session.id)
    clearSessionCookie(c)
    return redirectTo(c, '/login')
  }
  if (!result.ok) {
    c.status(422)
    const error = 'That code is not valid. Wait for the next one and try again.'
    return c.render(<StepUpPage email={c.var.operator.email} next={next} error={error} />, STEP_UP)
  }
  writeSessionCookie(c, result.token)
  await setFlash(c, {
    kind: 'info',
    text: 'Confirmed. You can repeat the action for the next 10 minutes.',
  })
  return redirectTo(c, next)
})
