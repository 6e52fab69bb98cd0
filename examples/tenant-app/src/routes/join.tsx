import { Hono } from 'hono'
import { z } from 'zod'
import type { BoardEnv } from '../env.js'
import { formOf, renderPage } from '../page.js'
import { JoinPage } from '../views/join-page.js'

// Someone not yet a member asks to join; Fleetdeck files the request (or, for an auto-join
// domain, adds them at once) and the workspace's admins decide in the console.

const joinForm = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: 'Enter an email address.' })),
  name: z.string().trim().max(100).optional(),
  message: z.string().trim().max(1000, { error: 'Keep it under 1,000 characters.' }).optional(),
})

export const joinRoutes = new Hono<BoardEnv>()

joinRoutes.get('/t/:slug/join', (c) =>
  renderPage(c, 'Ask to join', <JoinPage tenant={c.var.fleetdeck.tenant} form={{}} errors={{}} />),
)

joinRoutes.post('/t/:slug/join', async (c) => {
  const { tenant } = c.var.fleetdeck
  const form = await formOf(c)
  const parsed = joinForm.safeParse(form)
  if (!parsed.success) {
    const errors = Object.fromEntries(parsed.error.issues.map((i) => [i.path[0], i.message]))
    return renderPage(
      c,
      'Ask to join',
      <JoinPage tenant={tenant} form={form} errors={errors} />,
      422,
    )
  }
  const { email, name, message } = parsed.data
  const result = await c.var.deps.kit.submitJoinRequest({
    tenant: tenant.slug,
    email,
    ...(name ? { name } : {}),
    ...(message ? { message } : {}),
  })
  if (!result.ok) {
    const text =
      result.code === 'already_member'
        ? `${email} is already a member: sign in instead.`
        : result.code === 'already_pending'
          ? `A request for ${email} is already waiting for an admin.`
          : result.message
    const page = <JoinPage tenant={tenant} form={form} errors={{ form: text }} />
    return renderPage(c, 'Ask to join', page, 409)
  }
  const outcome =
    result.outcome === 'joined'
      ? `You joined ${tenant.name}. Ask an admin for your first password.`
      : `Your request was sent. An admin of ${tenant.name} will decide.`
  return renderPage(
    c,
    'Ask to join',
    <JoinPage tenant={tenant} form={{}} errors={{}} sent={outcome} />,
  )
})
