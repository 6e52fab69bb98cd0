import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import {
  deliverInvitation,
  inviteOperator,
  renewInvitation,
  type Invitation,
} from '../../operators/invitations.js'
import { InvitePage, type InviteValues } from '../../views/super-admins/invite-page.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash, type Flash } from '../../web/flash.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'
import { manage, roleField, stepUp, superAdminOr404 } from './shared.js'

const inviteForm = z.object({
  email: z
    .string()
    .trim()
    .pipe(
      z
        .email({ error: 'Enter a valid email address.' })
        .max(320, { error: 'Use at most 320 characters.' }),
    ),
  name: z
    .string()
    .trim()
    .min(1, { error: 'Enter a name.' })
    .max(200, { error: 'Use at most 200 characters.' })
    .regex(/^\P{Cc}*$/u, { error: 'Use no control characters.' }),
  role: roleField,
})

type InviteErrors = Partial<Record<keyof InviteValues, string>>

const INVITE = { title: 'Invite super admin' }

/** Mounted at `/super-admins`: the invite form, the invitation, and a new link for it. */
export const invitationRoutes = new Hono<AppEnv>()

// Step-up before the form, so a stale TOTP check does not throw away what was typed.
// `?email=&name=` prefill the form: the user page's "Invite as super admin" (issue 7 item 2).
// Only the form is filled; the super admin is a new, separate identity (seeds/002).
invitationRoutes.get('/new', manage, stepUp, (c) => {
  const values = {
    email: c.req.query('email')?.slice(0, 320),
    name: c.req.query('name')?.slice(0, 200),
  }
  return c.render(<InvitePage values={values} errors={{}} />, INVITE)
})

invitationRoutes.post('/', manage, stepUp, async (c) => {
  const raw = await formFields(c)
  const parsed = inviteForm.safeParse(raw)
  const invalid = (errors: InviteErrors) => {
    c.status(422)
    return c.render(<InvitePage values={raw} errors={errors} />, INVITE)
  }
  if (!parsed.success) return invalid(fieldErrors(parsed.error))
  const source = { via: 'console', invitedBy: c.var.operator.id } as const
  const invited = await inviteOperator(c.var.db, auditContext(c), parsed.data, source, c.var.now())
  if (!invited.ok) return invalid({ email: 'A super admin with this email already exists.' })
  await setFlash(c, await deliver(c, invited))
  return redirectTo(c, `/super-admins/${invited.operator.id}`)
})

invitationRoutes.post('/:id/invitation', manage, stepUp, async (c) => {
  const target = await superAdminOr404(c)
  const renewed = await renewInvitation(c.var.db, auditContext(c), target, c.var.now())
  if (!renewed.ok) {
    throw new HTTPException(409, { message: `${target.email} has no pending invitation.` })
  }
  await setFlash(c, await deliver(c, { ...renewed, operator: target }))
  return redirectTo(c, `/super-admins/${target.id}`)
})

function fieldErrors(error: z.ZodError): InviteErrors {
  const errors: Record<string, string> = {}
  for (const issue of error.issues) errors[String(issue.path[0])] ??= issue.message
  return errors
}

/**
 * Sends the link and says how it went. If sending fails the invitation still exists: the flash
 * says so, with the request id of the logged cause, and the admin's page offers a new link.
 */
async function deliver(c: Context<AppEnv>, invitation: Invitation): Promise<Flash> {
  const { email } = invitation.operator
  try {
    const { config } = c.var.deps
    const delivery = await deliverInvitation(
      c.var.db,
      config,
      invitation,
      c.var.operator,
      c.var.now(),
    )
    if (delivery.via === 'outbox') {
      return {
        kind: 'info',
        text: `Invitation for ${email} created. SMTP_URL is not set, so it was not emailed: the link is in the development outbox.`,
      }
    }
    return { kind: 'success', text: `Invitation sent to ${email}. The link is valid for 72 hours.` }
  } catch (err) {
    const requestId = c.var.requestId
    console.error(
      JSON.stringify({
        level: 'error',
        requestId,
        event: 'mail.failed',
        to: email,
        error: String(err),
      }),
    )
    return {
      kind: 'error',
      text: `The invitation for ${email} exists, but the email could not be sent (request id ${requestId}). Check the mail relay (Settings → Mail relay) or SMTP_URL, then use “Send a new invitation link” on this page.`,
    }
  }
}
