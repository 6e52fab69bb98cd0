import type { FC } from 'hono/jsx'
import type { AuditListEntry } from '../../db/audit-log.js'
import { MEMBERSHIP_ROLES, type Membership } from '../../db/memberships.js'
import type { SignIn, User } from '../../db/users.js'
import { AuditTable } from '../audit/audit-table.js'
import { Button } from '../components/button.js'
import { Field } from '../components/field.js'
import { BackLink, Section } from '../components/section.js'
import { formatDateTime } from '../format.js'
import { MembershipHead, MembershipRow } from '../memberships/membership-row.js'
import { UserStatusBadge } from './user-status.js'

export type AddMembershipValues = { slug: string; role: string }

export type UserPageProps = {
  user: User
  memberships: Membership[]
  signIns: { items: SignIn[]; olderThan?: string }
  /** The sign-in page shown is not the newest (offer the way back to it). */
  signInsPaged: boolean
  audit: AuditListEntry[]
  /** saas.users.edit: role changes, add/remove membership, disable/enable. */
  canEdit: boolean
  /** saas.super_admins.manage: "Invite as super admin". */
  canInvite: boolean
  /** saas.tenants.impersonate: "View as" on each membership. */
  canImpersonate?: boolean
  addValues?: Partial<AddMembershipValues>
  addErrors?: Partial<Record<keyof AddMembershipValues, string>>
  /** A refused change on one membership row, said in that row. */
  membershipError?: { tenantId: string; text: string; chosenRole?: string }
}

/** Identity, memberships, sign-in history and audit entries of one tenant user. */
export const UserPage: FC<UserPageProps> = (p) => {
  const u = p.user
  return (
    <>
      <BackLink href="/users">Users</BackLink>
      <div class="mb-6 flex flex-wrap items-center gap-3">
        <h1 class="m-0 text-2xl font-semibold">{u.email}</h1>
        <UserStatusBadge status={u.status} />
        <span class="ml-auto flex items-center gap-2">
          {p.canInvite && (
            <a
              href={`/super-admins/new?${new URLSearchParams({ email: u.email, name: u.name })}`}
              class="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-800 no-underline hover:bg-slate-50"
            >
              Invite as super admin
            </a>
          )}
          {p.canEdit && <DisablementAction user={u} />}
        </span>
      </div>
      <Section id="identity" title="Identity">
        <dl class="m-0 grid grid-cols-[10rem_1fr] gap-y-1 text-sm">
          <dt class="text-slate-600">Name</dt>
          <dd class="m-0">{u.name}</dd>
          <dt class="text-slate-600">Email</dt>
          <dd class="m-0">{u.email}</dd>
          <dt class="text-slate-600">Status</dt>
          <dd class="m-0">{u.status}</dd>
          <dt class="text-slate-600">Last sign-in</dt>
          <dd class="m-0">{u.lastLoginAt ? formatDateTime(u.lastLoginAt) : 'never'}</dd>
          <dt class="text-slate-600">Created</dt>
          <dd class="m-0">{formatDateTime(u.createdAt)}</dd>
          <dt class="text-slate-600">User id</dt>
          <dd class="m-0 font-mono text-xs">{u.id}</dd>
        </dl>
        {u.status === 'disabled' && (
          <p class="m-0 mt-3 text-sm text-slate-700">
            Disabled: the user keeps every membership below, and no tenant lets them sign in.
          </p>
        )}
      </Section>
      <Section id="memberships" title={`Memberships (${p.memberships.length})`}>
        {p.memberships.length === 0 ? (
          <p class="m-0 mb-3 text-sm text-slate-600">Not a member of any tenant.</p>
        ) : (
          <div class="mb-4 overflow-x-auto">
            <table class="w-full text-sm">
              <MembershipHead perspective="user" />
              <tbody>
                {p.memberships.map((m) => {
                  const refused = p.membershipError?.tenantId === m.tenantId
                  return (
                    <MembershipRow
                      membership={m}
                      perspective="user"
                      canEdit={p.canEdit}
                      canImpersonate={p.canImpersonate}
                      error={refused ? p.membershipError?.text : undefined}
                      chosenRole={refused ? p.membershipError?.chosenRole : undefined}
                    />
                  )
                })}
              </tbody>
            </table>
          </div>
        )}
        {p.canEdit && <AddMembershipForm user={u} values={p.addValues} errors={p.addErrors} />}
      </Section>
      <Section id="sign-ins" title="Sign-in history">
        <SignInTable items={p.signIns.items} />
        <p class="m-0 mt-2 flex gap-4 text-sm">
          {p.signInsPaged && (
            <a href={`/users/${u.id}#sign-ins`} class="text-violet-700 underline">
              Newest sign-ins
            </a>
          )}
          {p.signIns.olderThan && (
            <a
              rel="next"
              href={`/users/${u.id}?signins_before=${p.signIns.olderThan}#sign-ins`}
              class="text-violet-700 underline"
            >
              Older sign-ins
            </a>
          )}
        </p>
      </Section>
      <Section id="user-audit" title="Audit entries about this user">
        {p.audit.length === 0 ? (
          <p class="m-0 text-sm text-slate-600">No audit entries yet.</p>
        ) : (
          <AuditTable entries={p.audit} />
        )}
      </Section>
    </>
  )
}

/** Disable (POST) or enable (DELETE) the account; a plain form, the page comes back with a flash. */
const DisablementAction: FC<{ user: User }> = ({ user }) =>
  user.status === 'disabled' ? (
    <form method="post" action={`/users/${user.id}/disablement`} class="m-0 inline">
      <input type="hidden" name="_method" value="DELETE" />
      <Button kind="plain">Enable user</Button>
    </form>
  ) : (
    <form method="post" action={`/users/${user.id}/disablement`} class="m-0 inline">
      <Button kind="danger">Disable user</Button>
    </form>
  )

const AddMembershipForm: FC<{
  user: User
  values?: Partial<AddMembershipValues>
  errors?: Partial<Record<keyof AddMembershipValues, string>>
}> = ({ user, values = {}, errors = {} }) => (
  <form
    method="post"
    action={`/users/${user.id}/memberships`}
    class="flex flex-wrap items-start gap-3 border-t border-slate-100 pt-4"
  >
    <div class="w-64">
      <Field
        name="slug"
        label="Add to tenant (slug)"
        value={values.slug}
        error={errors.slug}
        autocomplete="off"
        required
      />
    </div>
    <div class="mb-4">
      <label for="field-add-role" class="block text-sm font-medium text-slate-700 mb-1">
        Role
      </label>
      <select
        id="field-add-role"
        name="role"
        aria-invalid={errors.role ? 'true' : undefined}
        aria-describedby={errors.role ? 'field-add-role-error' : undefined}
        class="rounded border border-slate-300 px-2 py-2 text-sm"
      >
        {MEMBERSHIP_ROLES.map((r) => (
          <option value={r} selected={(values.role ?? 'member') === r}>
            {r}
          </option>
        ))}
      </select>
      {errors.role && (
        <p id="field-add-role-error" class="mt-1 text-sm text-red-700">
          {errors.role}
        </p>
      )}
    </div>
    <div class="mt-6">
      <Button>Add membership</Button>
    </div>
  </form>
)

const SignInTable: FC<{ items: SignIn[] }> = ({ items }) =>
  items.length === 0 ? (
    <p class="m-0 text-sm text-slate-600">No sign-ins recorded.</p>
  ) : (
    <div class="overflow-x-auto">
      <table class="w-full text-sm">
        <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
          <tr>
            <th scope="col" class="px-3 py-2">
              Time
            </th>
            <th scope="col" class="px-3 py-2">
              Tenant
            </th>
            <th scope="col" class="px-3 py-2">
              IP
            </th>
            <th scope="col" class="px-3 py-2">
              User agent
            </th>
            <th scope="col" class="px-3 py-2">
              Outcome
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr class="border-t border-slate-100" id={`sign-in-${s.id}`}>
              <td class="px-3 py-2 whitespace-nowrap text-xs">{formatDateTime(s.at)}</td>
              <td class="px-3 py-2 font-mono text-xs">{s.tenantSlug ?? '—'}</td>
              <td class="px-3 py-2 font-mono text-xs">{s.ip ?? '—'}</td>
              <td class="px-3 py-2 text-xs break-all">{s.userAgent ?? '—'}</td>
              <td class="px-3 py-2 text-xs">
                <span class={s.outcome === 'succeeded' ? 'text-emerald-800' : 'text-red-800'}>
                  {s.outcome}
                </span>
                {s.detail && <span class="block text-slate-600">{s.detail}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
