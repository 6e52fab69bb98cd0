import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { KitError, type SignUpRefused } from '@fleetdeck/kit'
import { boardOf, saveCredentials } from '../board-db.js'
import type { BoardEnv } from '../env.js'
import { formOf, redirectWithFlash, renderPage } from '../page.js'
import { hashPassword } from '../passwords.js'
import { startSession } from '../session.js'
import { LandingPage, SignupPage, type SignupErrors } from '../views/signup-page.js'

// Self-service signup through the kit (issue 10 item 6): Fleetdeck decides whether it is open
// (the kit holds that ≤ 5 s) and which plan a new workspace gets; this app keeps the password.
// While signup is closed, /signup is a 404 and nothing links to it.

const signupForm = z.object({
  workspace: z.string().trim().min(1, { error: 'Enter a name for the workspace.' }).max(200),
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z][a-z0-9-]{1,38}$/, {
      error: 'Use 2–39 lowercase letters, digits or dashes, starting with a letter.',
    }),
  name: z.string().trim().min(1, { error: 'Enter your name.' }).max(200),
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: 'Enter an email address.' })),
  // OWASP ASVS 5.0 §6.2.1 asks for at least 8; 12 leaves room, 256 bounds the hashing work.
  password: z
    .string()
    .min(12, { error: 'Use at least 12 characters.' })
    .max(256, { error: 'Use at most 256 characters.' }),
})

/** Which form field each kit field's error belongs to. */
const FIELD_OF: Record<string, keyof SignupErrors> = {
  slug: 'slug',
  name: 'workspace',
  ownerName: 'name',
  ownerEmail: 'email',
}

export const signupRoutes = new Hono<BoardEnv>()

signupRoutes.get('/', async (c) => {
  // The front page stays up while Fleetdeck is unreachable, without the link it cannot vouch for.
  const open = await c.var.deps.kit.signupSettings().then(
    (settings) => settings.open,
    (error) => {
      if (error instanceof KitError) return false
      throw error
    },
  )
  return renderPage(c, 'Notes board', <LandingPage signupOpen={open} />)
})

signupRoutes.get('/signup', async (c) => {
  const settings = await c.var.deps.kit.signupSettings()
  if (!settings.open) return signupClosed(c)
  return renderPage(
    c,
    'Create a workspace',
    <SignupPage form={{}} errors={{}} plan={settings.defaultPlan} />,
  )
})

signupRoutes.post('/signup', async (c) => {
  const { kit, db } = c.var.deps
  const settings = await kit.signupSettings()
  if (!settings.open) return signupClosed(c)
  const form = await formOf(c)
  const invalid = (errors: SignupErrors, status: 422 | 429 | 503 = 422) =>
    renderPage(
      c,
      'Create a workspace',
      <SignupPage form={form} errors={errors} plan={settings.defaultPlan} />,
      status,
    )
  const parsed = signupForm.safeParse(form)
  if (!parsed.success)
    return invalid(Object.fromEntries(parsed.error.issues.map((i) => [i.path[0], i.message])))
  const { workspace, slug, name, email, password } = parsed.data
  const passwordHash = await hashPassword(password)
  const ip = peerAddress(c)
  const result = await kit.signUp({
    slug,
    name: workspace,
    ownerName: name,
    ownerEmail: email,
    ...(ip ? { ip } : {}),
  })
  if (!result.ok) {
    if (result.code === 'signup_closed') return signupClosed(c)
    return invalid(...refusalErrors(result))
  }
  await saveCredentials(boardOf(db, slug), email, passwordHash)
  await startSession(c, slug, email)
  const plan = result.tenant.plan.name
  return redirectWithFlash(
    c,
    `/t/${slug}/`,
    `Welcome to ${workspace}: your workspace is on the ${plan} plan.`,
  )
})

/** A refusal of the kit as messages beside the fields, and the status of the page. */
function refusalErrors(refused: SignUpRefused): [SignupErrors, 422 | 429 | 503] {
  if (refused.code === 'rate_limited')
    return [{ form: 'Too many workspaces were created from here this hour. Try again later.' }, 429]
  if (refused.code === 'onboarding_failed')
    return [{ form: 'Your workspace could not be set up yet. Try again later.' }, 503]
  const errors: SignupErrors = {}
  for (const e of refused.errors) errors[FIELD_OF[e.path] ?? 'form'] ??= e.message
  if (Object.keys(errors).length === 0) errors.form = refused.message
  return [errors, 422]
}

/** Signup is off at Fleetdeck: a friendly 404 that does not say how to get around it. */
function signupClosed(c: Context<BoardEnv>) {
  return renderPage(
    c,
    'Signup is closed',
    <>
      <h1>Signup is closed</h1>
      <p>
        New workspaces can't be created here right now. If you already have one, open it at
        /t/&lt;workspace&gt;/.
      </p>
    </>,
    404,
  )
}

/** The socket's address when served by @hono/node-server (in-process tests have none). */
function peerAddress(c: Context<BoardEnv>): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  return env?.incoming?.socket?.remoteAddress?.replace(/^::ffff:/, '')
}
