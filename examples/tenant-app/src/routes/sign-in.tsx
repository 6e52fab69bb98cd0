import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { boardOf, findPasswordHash } from '../board-db.js'
import type { BoardEnv } from '../env.js'
import { formOf, renderPage } from '../page.js'
import { dummyPasswordHash, passwordMatches } from '../passwords.js'
import { endSession, startSession } from '../session.js'
import { SignInPage } from '../views/sign-in-page.js'

// Sign-in with the app's own credentials (in the tenant's schema), then the kit's membership
// check; every attempt, good or bad, is recorded at Fleetdeck (kit.recordSignIn).

const signInForm = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: 'Enter an email address.' })),
  password: z.string().min(1, { error: 'Enter your password.' }).max(256),
})

export const signInRoutes = new Hono<BoardEnv>()

signInRoutes.get('/t/:slug/sign-in', (c) => {
  if (c.var.user) return c.redirect(`/t/${c.req.param('slug')}/`, 303)
  return renderPage(c, 'Sign in', <SignInPage tenant={c.var.fleetdeck.tenant} />)
})

signInRoutes.post('/t/:slug/sign-in', async (c) => {
  const { kit, db } = c.var.deps
  const tenant = c.var.fleetdeck.tenant
  const form = await formOf(c)
  const parsed = signInForm.safeParse(form)
  if (!parsed.success) {
    const errors = Object.fromEntries(parsed.error.issues.map((i) => [i.path[0], i.message]))
    const page = <SignInPage tenant={tenant} email={form.email} errors={errors} />
    return renderPage(c, 'Sign in', page, 422)
  }
  const { email, password } = parsed.data
  const record = (outcome: 'succeeded' | 'failed' | 'refused', detail?: string) =>
    kit.recordSignIn({ tenant: tenant.slug, email, outcome, detail, ...clientOf(c) })

  const stored = await findPasswordHash(boardOf(db, tenant.slug), email)
  // The same work for an unknown email as for a wrong password: no timing tells which.
  const matches = await passwordMatches(stored ?? (await dummyPasswordHash()), password)
  if (!stored || !matches) {
    await record('failed', stored ? 'bad_password' : 'unknown_email')
    const errors = { form: 'That email and password do not match.' }
    return renderPage(
      c,
      'Sign in',
      <SignInPage tenant={tenant} email={email} errors={errors} />,
      422,
    )
  }
  const membership = await kit.checkMember(tenant.slug, { email })
  if (!membership.ok) {
    await record('refused', membership.reason)
    const errors = {
      form:
        membership.reason === 'disabled'
          ? 'Your account is disabled. Contact your workspace’s owner.'
          : 'You are not a member of this workspace.',
    }
    return renderPage(
      c,
      'Sign in',
      <SignInPage tenant={tenant} email={email} errors={errors} />,
      403,
    )
  }
  await record('succeeded')
  await startSession(c, tenant.slug, email)
  return c.redirect(`/t/${tenant.slug}/`, 303)
})

signInRoutes.post('/t/:slug/sign-out', (c) => {
  endSession(c, c.req.param('slug'))
  return c.redirect(`/t/${c.req.param('slug')}/sign-in`, 303)
})

/** The user agent, for the console's sign-in history (the address is the proxy's business). */
function clientOf(c: Context<BoardEnv>) {
  const userAgent = c.req.header('user-agent')?.slice(0, 500)
  return userAgent ? { userAgent } : {}
}
