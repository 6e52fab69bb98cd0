import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { boardOf, saveCredentials } from '../board-db.js'
import type { BoardEnv } from '../env.js'
import { audit, canManage, formOf, memberOf, redirectWithFlash, renderPage } from '../page.js'
import { hashPassword } from '../passwords.js'
import { MembersPage, type AddMemberErrors } from '../views/members-page.js'

// Members come from Fleetdeck (kit.listMembers); owners and admins add one through kit.addMember
// — within the plan's member quota (seed 002: a tightened quota blocks additions, existing
// members keep working) — and give them a first password here.

const addMemberForm = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: 'Enter an email address.' })),
  name: z.string().trim().min(1, { error: 'Enter their name.' }).max(100),
  role: z.enum(['member', 'admin'], { error: 'Choose member or admin.' }),
  password: z
    .string()
    .min(12, { error: 'Use at least 12 characters.' })
    .max(256, { error: 'Use at most 256 characters.' }),
})

export function memberRoutes(member: MiddlewareHandler<BoardEnv>) {
  const members = new Hono<BoardEnv>()

  members.get('/t/:slug/members', member, async (c) => renderMembers(c))

  members.post('/t/:slug/members', member, async (c) => {
    const who = memberOf(c)
    if (!canManage(who))
      return renderPage(c, 'Not allowed', <p>Only owners and admins can add members.</p>, 403)
    const { tenant } = c.var.fleetdeck
    const form = await formOf(c)
    const seats = await seatsOf(c)
    if (!seats.canAdd) return renderMembers(c, { form: seats.fullMessage }, form, 422)
    const parsed = addMemberForm.safeParse(form)
    if (!parsed.success) {
      const errors = Object.fromEntries(parsed.error.issues.map((i) => [i.path[0], i.message]))
      return renderMembers(c, errors, form, 422)
    }
    const { email, name, role, password } = parsed.data
    // While support acts, the operator's entry comes first: if it cannot be written (the session
    // just ended), nothing is added under the user's name alone.
    if (c.var.fleetdeck.impersonation) await audit(c, 'member.added', { email, role })
    const added = await c.var.deps.kit.addMember(tenant.slug, {
      email,
      name,
      role,
      actorEmail: who.email,
    })
    if (!added.ok) {
      const message =
        added.code === 'quota_exceeded'
          ? `All ${added.limit} seats of your plan are used: no one can be added.`
          : added.code === 'already_member'
            ? `${email} is already a member.`
            : added.message
      return renderMembers(c, { form: message }, form, added.code === 'not_allowed' ? 403 : 422)
    }
    await saveCredentials(boardOf(c.var.deps.db, tenant.slug), email, await hashPassword(password))
    return redirectWithFlash(c, `/t/${tenant.slug}/members`, `${email} was added as ${role}.`)
  })

  return members
}

/** The seats in use and whether one more fits the plan (entitlements.canAdd). */
async function seatsOf(c: Context<BoardEnv>) {
  const { tenant, entitlements } = c.var.fleetdeck
  const list = await c.var.deps.kit.listMembers(tenant.slug)
  const limit = tenant.quotas.members
  const canAdd = entitlements.canAdd('members', list.length)
  return {
    list,
    used: list.length,
    limit,
    canAdd,
    fullMessage: `All ${limit} seats of the ${tenant.plan.name} plan are used: remove a member or upgrade the plan to add one.`,
  }
}

async function renderMembers(
  c: Context<BoardEnv>,
  errors: AddMemberErrors = {},
  form: Record<string, string> = {},
  status: 200 | 403 | 422 = 200,
) {
  const seats = await seatsOf(c)
  const page = (
    <MembersPage
      slug={c.var.fleetdeck.tenant.slug}
      members={seats.list}
      used={seats.used}
      limit={seats.limit}
      canAdd={seats.canAdd}
      fullMessage={seats.fullMessage}
      canManage={canManage(memberOf(c))}
      form={form}
      errors={errors}
    />
  )
  return renderPage(c, 'Members', page, status)
}
