import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { createEnrolmentToken, INVITATION_TTL_SECONDS } from '../../auth/enrolment.js'
import {
  invalidateSession,
  invalidateSuperAdminSessions,
  listActiveSessions,
} from '../../auth/session.js'
import { appendAuditEntry } from '../../db/audit-log.js'
import { listSignInAttempts } from '../../db/sign-in-attempts.js'
import {
  changeSuperAdminRole,
  findSuperAdminByEmail,
  findSuperAdminById,
  insertSuperAdmin,
  listSuperAdmins,
  resetSuperAdminTotp,
  revokeEnrolmentLinks,
  setSuperAdminActive,
  type SuperAdmin,
} from '../../db/super-admins.js'
import { listOutboxMail, sendMail } from '../../mail/mailer.js'
import { invitationMail } from '../../views/super-admins/invitation-mail.js'
import { InvitePage, type InviteValues } from '../../views/super-admins/invite-page.js'
import { OutboxPage } from '../../views/super-admins/outbox-page.js'
import {
  SuperAdminPage,
  type SuperAdminPageProps,
} from '../../views/super-admins/super-admin-page.js'
import { SuperAdminsPage } from '../../views/super-admins/super-admins-page.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash, type Flash } from '../../web/flash.js'
import { requirePermission, requireRecentTotp } from '../../web/guards.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'

const CHOOSE_ROLE = 'Choose one of the roles.'
const roleField = z.enum(['owner', 'admin', 'operator', 'support', 'viewer'], {
  error: CHOOSE_ROLE,
})
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
const roleForm = z.object({ role: roleField })
const adminIdParam = z.uuid()

const LAST_OWNER = 'This is the last active owner: make another admin an owner first.'

// Every route names its permission; owners only (src/auth/permissions.ts). Changes also need a
// TOTP check from the last 10 minutes (issue #3 step-up), asked after the permission.
const manage = requirePermission('saas.super_admins.manage')
const stepUp = requireRecentTotp

export const superAdminRoutes = new Hono<AppEnv>()

superAdminRoutes.get('/', manage, async (c) => {
  const items = await listSuperAdmins(c.var.db)
  return c.render(
    <SuperAdminsPage
      items={items}
      currentId={c.var.operator.id}
      smtpConfigured={!!c.var.deps.config.smtpUrl}
    />,
    { title: 'Super admins' },
  )
})

const INVITE = { title: 'Invite super admin' }

// Step-up before the form, so a stale TOTP check does not throw away what was typed.
superAdminRoutes.get('/new', manage, stepUp, (c) =>
  c.render(<InvitePage values={{}} errors={{}} />, INVITE),
)

superAdminRoutes.post('/', manage, stepUp, async (c) => {
  const raw = await formFields(c)
  const parsed = inviteForm.safeParse(raw)
  const invalid = (errors: Partial<Record<keyof InviteValues, string>>) => {
    c.status(422)
    return c.render(<InvitePage values={raw} errors={errors} />, INVITE)
  }
  if (!parsed.success) return invalid(fieldErrors(parsed.error))
  const invited = await createInvitation(c, parsed.data)
  if (!invited) return invalid({ email: 'A super admin with this email already exists.' })
  await setFlash(c, await deliverInvitation(c, invited.admin, invited.token))
  return redirectTo(c, `/super-admins/${invited.admin.id}`)
})

function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const issue of error.issues) errors[String(issue.path[0])] ??= issue.message
  return errors
}

/** Admin, link and audit entry in one transaction; undefined when the email is taken. */
async function createInvitation(c: Context<AppEnv>, input: z.infer<typeof inviteForm>) {
  const now = c.var.now()
  try {
    return await c.var.db.transaction().execute(async (trx) => {
      if (await findSuperAdminByEmail(trx, input.email)) return undefined
      const admin = await insertSuperAdmin(trx, { ...input, createdBy: c.var.operator.id })
      const token = await createEnrolmentToken(
        trx,
        'invitation',
        admin.id,
        now,
        INVITATION_TTL_SECONDS,
      )
      await appendAuditEntry(
        trx,
        auditContext(c),
        {
          action: 'super_admin.invite',
          targetType: 'super_admin',
          targetId: admin.id,
          after: {
            email: admin.email,
            name: admin.name,
            role: admin.role,
            expiresAt: expiresAt(now).toISOString(),
          },
        },
        now,
      )
      return { admin, token }
    })
  } catch (err) {
    // Two invitations of one address at once: the unique index on lower(email) decides.
    if ((err as { code?: string }).code === '23505') return undefined
    throw err
  }
}

function expiresAt(now: Date): Date {
  return new Date(now.getTime() + INVITATION_TTL_SECONDS * 1000)
}

/**
 * Sends the link after the transaction committed: a mail never goes out for an admin who was
 * rolled back, and no SMTP wait holds the transaction open. If sending fails the invitation
 * still exists; the flash says so and the admin's page offers a new link.
 */
async function deliverInvitation(
  c: Context<AppEnv>,
  admin: SuperAdmin,
  token: string,
): Promise<Flash> {
  const { config } = c.var.deps
  const now = c.var.now()
  const mail = invitationMail({
    to: admin.email,
    name: admin.name,
    role: admin.role,
    inviter: c.var.operator,
    link: `${config.publicUrl}/enrol/${token}`,
    expiresAt: expiresAt(now),
  })
  try {
    const delivery = await sendMail(c.var.db, config, mail, { now })
    if (delivery.via === 'outbox') {
      return {
        kind: 'info',
        text: `Invitation for ${admin.email} created. SMTP_URL is not set, so it was not emailed: the link is in the development outbox.`,
      }
    }
    return {
      kind: 'success',
      text: `Invitation sent to ${admin.email}. The link is valid for 72 hours.`,
    }
  } catch (err) {
    console.error(
      JSON.stringify({
        level: 'error',
        requestId: c.var.requestId,
        event: 'mail.failed',
        to: admin.email,
        error: String(err),
      }),
    )
    return {
      kind: 'error',
      text: `The invitation for ${admin.email} exists, but the email could not be sent (request id ${c.var.requestId}). Check SMTP_URL, then use “Send a new invitation link” on this page.`,
    }
  }
}

// Invitation links in the outbox work as credentials: reading them needs a fresh TOTP too.
superAdminRoutes.get('/outbox', manage, stepUp, async (c) => {
  const mails = await listOutboxMail(c.var.db)
  return c.render(<OutboxPage mails={mails} smtpConfigured={!!c.var.deps.config.smtpUrl} />, {
    title: 'Development outbox',
  })
})

/** The admin of `:id` or 404; the permission was checked before the lookup. */
async function superAdminOr404(c: Context<AppEnv>): Promise<SuperAdmin> {
  const id = adminIdParam.safeParse(c.req.param('id'))
  const found = id.success ? await findSuperAdminById(c.var.db, id.data) : undefined
  if (!found) throw new HTTPException(404, { message: 'No such super admin.' })
  return found
}

function sessionPolicy(c: Context<AppEnv>) {
  const { config } = c.var.deps
  return { idleSeconds: config.sessionIdleSeconds, absoluteSeconds: config.sessionAbsoluteSeconds }
}

async function renderAdminPage(
  c: Context<AppEnv>,
  target: SuperAdmin,
  extra: Partial<SuperAdminPageProps> = {},
  status: 200 | 422 = 200,
) {
  const db = c.var.db
  const [sessions, attempts, inviter] = await Promise.all([
    listActiveSessions(db, target.id, sessionPolicy(c), c.var.now()),
    listSignInAttempts(db, target.id, 50),
    target.createdBy ? findSuperAdminById(db, target.createdBy) : undefined,
  ])
  const props: SuperAdminPageProps = {
    viewer: c.var.operator,
    target,
    sessions,
    attempts,
    now: c.var.now(),
    currentSessionId: c.var.session.id,
    invitedBy: inviter && { id: inviter.id, email: inviter.email },
    ...extra,
  }
  c.status(status)
  return c.render(<SuperAdminPage {...props} />, { title: target.name })
}

superAdminRoutes.get('/:id', manage, async (c) => renderAdminPage(c, await superAdminOr404(c)))

superAdminRoutes.post('/:id', manage, stepUp, async (c) => {
  const target = await superAdminOr404(c)
  const raw = await formFields(c)
  const parsed = roleForm.safeParse(raw)
  if (!parsed.success) {
    return renderAdminPage(c, target, { roleValue: raw.role, roleError: CHOOSE_ROLE }, 422)
  }
  const { role } = parsed.data
  const result = await c.var.db.transaction().execute(async (trx) => {
    const change = await changeSuperAdminRole(trx, target.id, role)
    if (change?.ok && change.before !== role) {
      await appendAuditEntry(
        trx,
        auditContext(c),
        {
          action: 'super_admin.role_change',
          targetType: 'super_admin',
          targetId: target.id,
          before: { role: change.before },
          after: { role },
        },
        c.var.now(),
      )
    }
    return change
  })
  if (!result) throw new HTTPException(404, { message: 'No such super admin.' })
  if (!result.ok) return renderAdminPage(c, target, { roleValue: role, roleError: LAST_OWNER }, 422)
  await setFlash(c, {
    kind: 'success',
    text:
      result.before === role
        ? `${target.email} already has the role ${role}.`
        : `${target.email} is now ${role}.`,
  })
  // Owners who gave up their own ownership can no longer open this page.
  return redirectTo(
    c,
    target.id === c.var.operator.id && role !== 'owner' ? '/tenants' : `/super-admins/${target.id}`,
  )
})

/** Deactivate (POST): sessions and unused links end in the same transaction. Reactivate (DELETE). */
async function changeActivation(c: Context<AppEnv>, active: boolean) {
  const target = await superAdminOr404(c)
  const now = c.var.now()
  const result = await c.var.db.transaction().execute(async (trx) => {
    const change = await setSuperAdminActive(trx, target.id, active)
    if (!change?.ok || !change.changed) return change
    const sessionsEnded = active ? 0 : await invalidateSuperAdminSessions(trx, target.id)
    const linksRevoked = active ? 0 : await revokeEnrolmentLinks(trx, target.id, now)
    await appendAuditEntry(
      trx,
      auditContext(c),
      {
        action: active ? 'super_admin.reactivate' : 'super_admin.deactivate',
        targetType: 'super_admin',
        targetId: target.id,
        before: { isActive: !active },
        after: active ? { isActive: true } : { isActive: false, sessionsEnded, linksRevoked },
      },
      now,
    )
    return change
  })
  if (!result) throw new HTTPException(404, { message: 'No such super admin.' })
  if (!result.ok) return renderAdminPage(c, target, { activationError: LAST_OWNER }, 422)
  if (!result.changed) {
    const message = `${target.email} is already ${active ? 'active' : 'deactivated'}.`
    throw new HTTPException(409, { message })
  }
  await setFlash(c, {
    kind: 'success',
    text: active
      ? `${target.email} is active again.`
      : `${target.email} is deactivated; their sessions have ended.`,
  })
  return redirectTo(c, `/super-admins/${target.id}`)
}

superAdminRoutes.post('/:id/deactivation', manage, stepUp, (c) => changeActivation(c, false))
superAdminRoutes.delete('/:id/deactivation', manage, stepUp, (c) => changeActivation(c, true))

superAdminRoutes.delete('/:id/totp', manage, stepUp, async (c) => {
  const target = await superAdminOr404(c)
  // A stolen session must not be able to swap the owner's own authenticator (issue #3).
  if (target.id === c.var.operator.id) {
    throw new HTTPException(403, {
      message: 'You cannot reset your own TOTP: another super admin must do it.',
    })
  }
  const now = c.var.now()
  const sessionsEnded = await c.var.db.transaction().execute(async (trx) => {
    if (!(await resetSuperAdminTotp(trx, target.id))) return undefined
    const ended = await invalidateSuperAdminSessions(trx, target.id)
    await appendAuditEntry(
      trx,
      auditContext(c),
      {
        action: 'super_admin.reset_totp',
        targetType: 'super_admin',
        targetId: target.id,
        before: { mfaEnabled: true },
        after: { mfaEnabled: false, sessionsEnded: ended },
      },
      now,
    )
    return ended
  })
  if (sessionsEnded === undefined) {
    throw new HTTPException(409, {
      message: `${target.email} has no enrolled authenticator to reset.`,
    })
  }
  await setFlash(c, {
    kind: 'success',
    text: `TOTP of ${target.email} reset and their sessions ended. They enrol a new authenticator at their next sign-in.`,
  })
  return redirectTo(c, `/super-admins/${target.id}`)
})

/** Ends the listed sessions of `target` and audits it in one transaction. */
async function endSessions(c: Context<AppEnv>, target: SuperAdmin, sessionId: string | undefined) {
  const now = c.var.now()
  const ended = await c.var.db.transaction().execute(async (trx) => {
    const count = sessionId
      ? (await invalidateSession(trx, sessionId), 1)
      : await invalidateSuperAdminSessions(trx, target.id)
    if (count > 0) {
      await appendAuditEntry(
        trx,
        auditContext(c),
        {
          action: 'super_admin.sessions.end',
          targetType: 'super_admin',
          targetId: target.id,
          // The id's first 8 characters, as /account audits it: enough to match, nothing more.
          after: sessionId ? { sessionId: sessionId.slice(0, 8) } : { sessionsEnded: count },
        },
        now,
      )
    }
    return count
  })
  await setFlash(c, {
    kind: 'success',
    text:
      ended === 0
        ? `${target.email} had no sessions.`
        : `Ended ${ended} session${ended === 1 ? '' : 's'} of ${target.email}.`,
  })
  return redirectTo(c, `/super-admins/${target.id}`)
}

superAdminRoutes.delete('/:id/sessions/:sessionId', manage, stepUp, async (c) => {
  const target = await superAdminOr404(c)
  const sessions = await listActiveSessions(c.var.db, target.id, sessionPolicy(c), c.var.now())
  const session = sessions.find((s) => s.id === c.req.param('sessionId'))
  if (!session) throw new HTTPException(404, { message: 'No such session; it may have ended.' })
  return endSessions(c, target, session.id)
})

superAdminRoutes.delete('/:id/sessions', manage, stepUp, async (c) =>
  endSessions(c, await superAdminOr404(c), undefined),
)

superAdminRoutes.post('/:id/invitation', manage, stepUp, async (c) => {
  const target = await superAdminOr404(c)
  if (target.passwordHash !== null || !target.isActive) {
    throw new HTTPException(409, { message: `${target.email} has no pending invitation.` })
  }
  const now = c.var.now()
  const token = await c.var.db.transaction().execute(async (trx) => {
    const revoked = await revokeEnrolmentLinks(trx, target.id, now)
    const token = await createEnrolmentToken(
      trx,
      'invitation',
      target.id,
      now,
      INVITATION_TTL_SECONDS,
    )
    await appendAuditEntry(
      trx,
      auditContext(c),
      {
        action: 'super_admin.invite_resend',
        targetType: 'super_admin',
        targetId: target.id,
        after: { linksRevoked: revoked, expiresAt: expiresAt(now).toISOString() },
      },
      now,
    )
    return token
  })
  await setFlash(c, await deliverInvitation(c, target, token))
  return redirectTo(c, `/super-admins/${target.id}`)
})
