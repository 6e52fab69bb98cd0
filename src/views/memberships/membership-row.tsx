import type { FC } from 'hono/jsx'
import { MEMBERSHIP_ROLES, type Membership } from '../../db/memberships.js'
import { formatDate } from '../format.js'
import { StatusBadge } from '../tenants/tenant-status.js'
import { UserStatusBadge } from '../users/user-status.js'

// One membership as a table row, the same component on the user page (one row per tenant) and
// on the tenant page (one row per member), so a role change or removal looks and answers alike
// on both (issue 7 item 4). The role form swaps the row under htmx and posts without it.

/** Which page the row sits on: it decides the first column and what the row names. */
export type MembershipPerspective = 'user' | 'tenant'

export function membershipRowId(m: { userId: string; tenantId: string }): string {
  return `membership-${m.tenantId}-${m.userId}`
}

export type MembershipRowProps = {
  membership: Membership
  perspective: MembershipPerspective
  /** The operator may change roles and remove members (saas.users.edit). */
  canEdit: boolean
  /** The operator may view the tenant as this member (saas.tenants.impersonate). */
  canImpersonate?: boolean
  /** What the last action on this row did, said beside it. */
  notice?: string
  /** Why the last action on this row was refused, tied to the role control. */
  error?: string
  /** The role the operator chose when it was refused (shown back in the select). */
  chosenRole?: string
}

export const MembershipRow: FC<MembershipRowProps> = (props) => {
  const m = props.membership
  // A deleted tenant's members stay as they were until the purge, so a restore brings them back.
  const p = { ...props, canEdit: props.canEdit && m.tenantStatus !== 'deleted' }
  const rowId = membershipRowId(m)
  const selectId = `${rowId}-role`
  const url = `/users/${m.userId}/memberships/${m.tenantId}`
  const who = `${m.email} in ${m.slug}`
  return (
    <tr id={rowId} tabindex={-1} class="border-t border-slate-100 align-top focus:outline-none">
      {p.perspective === 'user' ? (
        <td class="px-3 py-2">
          <a href={`/tenants/${m.tenantId}`} class="font-mono text-violet-800 underline">
            {m.slug}
          </a>{' '}
          <StatusBadge status={m.tenantStatus} />
        </td>
      ) : (
        <td class="px-3 py-2">
          <a href={`/users/${m.userId}`} class="text-violet-800 underline">
            {m.email}
          </a>
          <span class="block text-xs text-slate-600">{m.name}</span>
        </td>
      )}
      {p.perspective === 'tenant' && (
        <td class="px-3 py-2">
          <UserStatusBadge status={m.userStatus} />
        </td>
      )}
      <td class="px-3 py-2" data-keep-focus={`#${selectId}`}>
        {p.canEdit ? (
          <form
            method="post"
            action={url}
            hx-post={url}
            hx-target={`#${rowId}`}
            class="m-0 inline-flex items-center gap-1"
          >
            <input type="hidden" name="from" value={p.perspective} />
            <label for={selectId} class="sr-only">
              Role of {who}
            </label>
            <select
              id={selectId}
              name="role"
              aria-invalid={p.error ? 'true' : undefined}
              aria-describedby={p.error ? `${rowId}-error` : undefined}
              class={`rounded border px-2 py-1 text-sm ${p.error ? 'border-red-500' : 'border-slate-300'}`}
            >
              {MEMBERSHIP_ROLES.map((role) => (
                <option value={role} selected={(p.chosenRole ?? m.role) === role}>
                  {role}
                </option>
              ))}
            </select>
            <button
              type="submit"
              aria-label={`Save the role of ${who}`}
              class="rounded border border-slate-300 bg-white px-2 py-1 text-xs hover:bg-slate-50 cursor-pointer"
            >
              Save
            </button>
          </form>
        ) : (
          <span>{m.role}</span>
        )}
        {p.error && (
          <p id={`${rowId}-error`} role="alert" class="m-0 mt-1 text-xs text-red-700">
            {p.error}
          </p>
        )}
        {p.notice && !p.error && (
          <p class="m-0 mt-1 text-xs font-medium text-slate-700">{p.notice}</p>
        )}
      </td>
      <td class="px-3 py-2 whitespace-nowrap">{formatDate(m.since)}</td>
      <td class="px-3 py-2 text-right whitespace-nowrap">
        {p.canImpersonate && (m.tenantStatus === 'active' || m.tenantStatus === 'suspended') && (
          <a
            href={`/impersonations/new?${new URLSearchParams({ user: m.userId, tenant: m.tenantId })}`}
            aria-label={`View as ${m.email} in ${m.slug}`}
            class="mr-2 rounded border border-amber-400 bg-amber-50 px-2 py-1 text-xs text-slate-900 no-underline hover:bg-amber-100"
          >
            View as
          </a>
        )}
        {p.canEdit && (
          <form
            method="post"
            action={url}
            hx-delete={url}
            hx-target={`#${rowId}`}
            hx-confirm={`Remove ${m.email} from ${m.slug}?`}
            class="m-0 inline"
          >
            <input type="hidden" name="_method" value="DELETE" />
            <input type="hidden" name="from" value={p.perspective} />
            <button
              type="submit"
              aria-label={`Remove ${who}`}
              class="rounded border border-red-300 bg-white px-2 py-1 text-xs text-red-800 hover:bg-red-50 cursor-pointer"
            >
              Remove
            </button>
          </form>
        )}
      </td>
    </tr>
  )
}

/** The header cells that go with MembershipRow for a perspective. */
export const MembershipHead: FC<{ perspective: MembershipPerspective }> = ({ perspective }) => (
  <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
    <tr>
      <th scope="col" class="px-3 py-2">
        {perspective === 'user' ? 'Tenant' : 'User'}
      </th>
      {perspective === 'tenant' && (
        <th scope="col" class="px-3 py-2">
          Status
        </th>
      )}
      <th scope="col" class="px-3 py-2">
        Role
      </th>
      <th scope="col" class="px-3 py-2">
        Since
      </th>
      <th scope="col" class="px-3 py-2">
        <span class="sr-only">Actions</span>
      </th>
    </tr>
  </thead>
)
