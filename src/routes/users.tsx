import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { roleCan } from '../auth/permissions.js'
import { listAuditEntries } from '../db/audit-log.js'
import {
  findMembership,
  listUserMemberships,
  MEMBERSHIP_ROLES,
  type Membership,
} from '../db/memberships.js'
import { isUuid } from '../db/tenants.js'
import { ALL_TENANTS } from '../db/tenant-scope.js'
import {
  findUserById,
  JOINED_WITHIN,
  listUsers,
  listUserSignIns,
  SIGNED_IN_WITHIN,
  USER_STATUSES,
  type User,
} from '../db/users.js'
import {
  addMembership,
  changeMembershipRole,
  type MembershipChangeRefusal,
  removeMembership,
  type AddMembershipRefusal,
} from '../people/memberships.js'
import { changeUserStatus } from '../people/users.js'
import { MembershipRow, type MembershipPerspective } from '../views/memberships/membership-row.js'
import { AnnounceOob } from '../views/tenants/tenants-page.js'
import { UserPage, type UserPageProps } from '../views/users/user-page.js'
import { UsersPage, UserTable } from '../views/users/users-page.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { requirePermission } from '../web/guards.js'
import { pageOrFragment } from '../web/render.js'
import { auditContext, formFields, isHtmx, redirectTo } from '../web/request.js'

// The users directory and one user's page (issue 7 items 1 and 2). Changes are nested
// resources: memberships (add, change role, remove) and the disablement (POST disables, DELETE
// enables), each one domain verb from src/people.

const view = requirePermission('saas.users.view')
const edit = requirePermission('saas.users.edit')

const cursor = z.string().trim().max(40).refine(isUuid).catch('')
const listQuery = z.object({
  q: z.string().trim().max(100).catch(''),
  status: z.enum(USER_STATUSES).or(z.literal('')).catch(''),
  role: z.enum(MEMBERSHIP_ROLES).or(z.literal('')).catch(''),
  signed_in: z.enum(SIGNED_IN_WITHIN).or(z.literal('')).catch(''),
  joined: z.enum(JOINED_WITHIN).or(z.literal('')).catch(''),
  after: cursor,
  before: cursor,
})
const roleField = z.enum(MEMBERSHIP_ROLES, { error: 'Choose owner, admin or member.' })
const addMembershipForm = z.object({
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z][a-z0-9-]{1,38}$/, { error: 'Enter a tenant slug (letters, digits, dashes).' }),
  role: roleField,
})

export const userRoutes = new Hono<AppEnv>()

userRoutes.get('/', view, async (c) => {
  const query = listQuery.parse(c.req.query())
  const page = await listUsers(c.var.db, c.var.scope.filter, {
    q: query.q,
    status: query.status || undefined,
    role: query.role || undefined,
    signedInWithin: query.signed_in || undefined,
    joined: query.joined || undefined,
    after: query.after || undefined,
    before: query.before || undefined,
    now: c.var.now(),
  })
  const props = {
    page,
    query: { ...query, signedIn: query.signed_in },
    now: c.var.now(),
    // Scoped to one customer, every row is its member: the tenants column goes.
    showTenants: c.var.scope.mode === 'all',
  }
  return pageOrFragment(
    c,
    () => <UserTable {...props} />,
    () => <UsersPage {...props} />,
    { title: 'Users' },
  )
})

/** The user of `:id`, or 404 (also for an id that is not a uuid); permission checked before. */
async function userOr404(c: Context<AppEnv>): Promise<User> {
  const user = await findUserById(c.var.db, c.req.param('id') ?? '')
  if (!user) throw new HTTPException(404, { message: 'No such user.' })
  return user
}

async function renderUserPage(
  c: Context<AppEnv>,
  user: User,
  extra: Partial<UserPageProps> = {},
  status: 200 | 422 = 200,
) {
  const db = c.var.db
  const signInsBefore = c.req.query('signins_before')?.slice(0, 20)
  const [memberships, signIns, audit] = await Promise.all([
    listUserMemberships(db, user.id),
    listUserSignIns(db, user.id, { beforeId: signInsBefore }),
    // A user's page shows every entry about them: the scope narrows lists, not one user's record.
    listAuditEntries(db, ALL_TENANTS, { target: { type: 'user', id: user.id }, limit: 50 }),
  ])
  const role = c.var.operator.role
  c.status(status)
  return c.render(
    <UserPage
      user={user}
      memberships={memberships}
      signIns={signIns}
      signInsPaged={!!signInsBefore}
      audit={audit}
      canEdit={roleCan(role, 'saas.users.edit')}
      canInvite={roleCan(role, 'saas.super_admins.manage')}
      canImpersonate={roleCan(role, 'saas.tenants.impersonate')}
      {...extra}
    />,
    { title: user.email },
  )
}

userRoutes.get('/:id', view, async (c) => renderUserPage(c, await userOr404(c)))

userRoutes.post('/:id/memberships', edit, async (c) => {
  const user = await userOr404(c)
  const raw = await formFields(c)
  const values = { slug: raw.slug ?? '', role: raw.role ?? '' }
  const invalid = (addErrors: UserPageProps['addErrors']) =>
    renderUserPage(c, user, { addValues: values, addErrors }, 422)
  const parsed = addMembershipForm.safeParse(raw)
  if (!parsed.success) return invalid(fieldErrors(parsed.error))
  const { slug, role } = parsed.data
  const added = await addMembership(
    c.var.db,
    auditContext(c),
    { userId: user.id, slug, role },
    c.var.now(),
  )
  if (!added.ok) return invalid({ slug: ADD_REFUSALS[added.reason](slug, user) })
  await setFlash(c, { kind: 'success', text: `${user.email} added to ${slug} as ${role}.` })
  return redirectTo(c, `/users/${user.id}#memberships`)
})

const ADD_REFUSALS: Record<AddMembershipRefusal, (slug: string, user: User) => string> = {
  user_not_found: (_slug, user) => `${user.email} was deleted meanwhile.`,
  unknown_tenant: (slug: string) => `No tenant has the slug “${slug}”.`,
  tenant_deleted: (slug: string) => `${slug} is deleted: it cannot get new members.`,
  already_member: (slug: string, user: User) =>
    `${user.email} is already a member of ${slug}; change the role in its row.`,
}

userRoutes.post('/:id/memberships/:tenantId', edit, async (c) => {
  const { user, membership } = await membershipOr404(c)
  const raw = await formFields(c)
  const from = perspective(raw)
  const role = roleField.safeParse(raw.role)
  if (!role.success) return refused(c, membership, from, role.error.issues[0].message, raw.role)
  const result = await changeMembershipRole(
    c.var.db,
    auditContext(c),
    { userId: user.id, tenantId: membership.tenantId },
    role.data,
    c.var.now(),
  )
  if (!result.ok && result.reason === 'not_found') throw notFound()
  if (!result.ok)
    return refused(c, membership, from, refusalText(result.reason, membership), role.data)
  const text = result.changed
    ? `${user.email} is now ${role.data} of ${membership.slug}.`
    : `${user.email} was already ${role.data} of ${membership.slug}; nothing changed.`
  if (!isHtmx(c)) return flashBack(c, text, result.membership, from)
  return c.html(
    <>
      <MembershipRow
        membership={result.membership}
        perspective={from}
        canEdit
        canImpersonate={roleCan(c.var.operator.role, 'saas.tenants.impersonate')}
        notice={result.changed ? 'Role saved.' : 'Unchanged.'}
      />
      <AnnounceOob text={text} />
    </>,
  )
})

userRoutes.delete('/:id/memberships/:tenantId', edit, async (c) => {
  const { user, membership } = await membershipOr404(c)
  const from = perspective(await formFields(c))
  const result = await removeMembership(
    c.var.db,
    auditContext(c),
    { userId: user.id, tenantId: membership.tenantId },
    c.var.now(),
  )
  if (!result.ok && result.reason === 'not_found') throw notFound()
  if (!result.ok) return refused(c, membership, from, refusalText(result.reason, membership))
  const text = `${user.email} removed from ${membership.slug}.`
  if (!isHtmx(c)) return flashBack(c, text, membership, from)
  // The row goes (an empty outerHTML swap); the live region says what happened.
  return c.html(<AnnounceOob text={text} />)
})

/** Disable (POST) and enable (DELETE) a user; the page comes back with a flash. */
async function changeStatus(c: Context<AppEnv>, change: 'disable' | 'enable') {
  const user = await userOr404(c)
  const result = await changeUserStatus(c.var.db, auditContext(c), user.id, change, c.var.now())
  if (!result.ok && result.reason === 'not_found') throw notFound()
  if (!result.ok) throw new HTTPException(409, { message: `${user.email} is already ${change}d.` })
  const text =
    change === 'disable'
      ? `${user.email} disabled. Their memberships stay; no tenant lets them sign in.`
      : `${user.email} enabled.`
  await setFlash(c, { kind: 'success', text })
  return redirectTo(c, `/users/${user.id}`)
}

userRoutes.post('/:id/disablement', edit, (c) => changeStatus(c, 'disable'))
userRoutes.delete('/:id/disablement', edit, (c) => changeStatus(c, 'enable'))

function notFound() {
  return new HTTPException(404, { message: 'No such membership.' })
}

/** The user of `:id` and their membership in `:tenantId`, or 404. */
async function membershipOr404(c: Context<AppEnv>) {
  const user = await userOr404(c)
  const tenantId = c.req.param('tenantId') ?? ''
  const membership = isUuid(tenantId)
    ? await findMembership(c.var.db, user.id, tenantId)
    : undefined
  if (!membership) throw notFound()
  return { user, membership }
}

/** The page a membership form was on: the user's (default) or the tenant's member list. */
function perspective(raw: Record<string, string>): MembershipPerspective {
  return raw.from === 'tenant' ? 'tenant' : 'user'
}

function refusalText(reason: MembershipChangeRefusal, m: Membership): string {
  if (reason === 'tenant_deleted')
    return `${m.slug} is deleted: its members stay as they were until it is restored or purged.`
  return `${m.email} is the last owner of ${m.slug}: make another member an owner first.`
}

/**
 * A refused membership change (422, nothing changed): under htmx the row again with the message
 * in it; without JavaScript the user's page with the message at that row.
 */
async function refused(
  c: Context<AppEnv>,
  membership: Membership,
  from: MembershipPerspective,
  text: string,
  chosenRole?: string,
) {
  if (isHtmx(c)) {
    return c.html(
      <>
        <MembershipRow
          membership={membership}
          perspective={from}
          canEdit
          canImpersonate={roleCan(c.var.operator.role, 'saas.tenants.impersonate')}
          error={text}
          chosenRole={chosenRole}
        />
        <AnnounceOob text={text} />
      </>,
      422,
    )
  }
  const user = (await findUserById(c.var.db, membership.userId))!
  return renderUserPage(
    c,
    user,
    { membershipError: { tenantId: membership.tenantId, text, chosenRole } },
    422,
  )
}

/** Without JavaScript: the outcome as a flash, back on the page the form was on. */
async function flashBack(
  c: Context<AppEnv>,
  text: string,
  m: Membership,
  from: MembershipPerspective,
) {
  await setFlash(c, { kind: 'success', text })
  return redirectTo(
    c,
    from === 'tenant' ? `/tenants/${m.tenantId}#members` : `/users/${m.userId}#memberships`,
  )
}

function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const issue of error.issues) errors[String(issue.path[0])] ??= issue.message
  return errors
}
