import type { FC } from 'hono/jsx'
import { anyOr, FilterField, FilterSelect } from '../components/filter-field.js'
import { MEMBERSHIP_ROLES } from '../../db/memberships.js'
import type { MembershipRole } from '../../db/schema.js'
import {
  JOINED_WITHIN,
  SIGNED_IN_WITHIN,
  USER_STATUSES,
  type JoinedWithin,
  type SignedInWithin,
  type UserListItem,
  type UserPage,
  type UserStatus,
} from '../../db/users.js'
import { Button } from '../components/button.js'
import { formatAge, formatDate, formatDateTime } from '../format.js'
import { UserStatusBadge } from './user-status.js'

/** The directory's address as the operator typed it. */
export type UserListQuery = {
  q: string
  status: UserStatus | ''
  role: MembershipRole | ''
  signedIn: SignedInWithin | ''
  joined: JoinedWithin | ''
  after: string
  before: string
}

export type UserTableProps = {
  page: UserPage
  query: UserListQuery
  now: Date
  /** Each user's tenants; off when the scope narrows the directory to one customer's members. */
  showTenants: boolean
}

/** `/users` with this query, leaving out what is empty; a filter change starts at page one. */
export function userListUrl(query: UserListQuery, change: Partial<UserListQuery> = {}): string {
  const q = { ...query, ...change }
  const params = new URLSearchParams()
  if (q.q) params.set('q', q.q)
  if (q.status) params.set('status', q.status)
  if (q.role) params.set('role', q.role)
  if (q.signedIn) params.set('signed_in', q.signedIn)
  if (q.joined) params.set('joined', q.joined)
  if (q.after) params.set('after', q.after)
  else if (q.before) params.set('before', q.before)
  const s = params.toString()
  return s ? `/users?${s}` : '/users'
}

const SIGNED_IN_LABELS: Record<SignedInWithin, string> = {
  '7': 'in the last 7 days',
  '30': 'in the last 30 days',
  '90': 'in the last 90 days',
  never: 'never',
}

const JOINED_LABELS: Record<JoinedWithin, string> = {
  today: 'today (UTC)',
  '7': 'in the last 7 days',
  '30': 'in the last 30 days',
}

function totalText(page: UserPage, q: string): string {
  const { count, exact } = page.total
  const n = count.toLocaleString('en')
  const users = `${exact ? n : `about ${n}`} user${count === 1 && exact ? '' : 's'}`
  return q ? `${users} matching “${q}”` : users
}

/** The swappable part of /users: the count, the rows and the keyset paging links. */
export const UserTable: FC<UserTableProps> = ({ page, query, now, showTenants }) => (
  <div id="user-table">
    <p class="m-0 mb-2 text-xs text-slate-600" id="user-total">
      {totalText(page, query.q)}
    </p>
    <div class="overflow-x-auto rounded border border-slate-200 bg-white">
      <table class="w-full text-sm" data-keyboard-table>
        <caption class="sr-only">Users, newest first</caption>
        <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
          <tr>
            <th scope="col" class="px-3 py-2">
              Email
            </th>
            <th scope="col" class="px-3 py-2">
              Name
            </th>
            <th scope="col" class="px-3 py-2">
              Status
            </th>
            {showTenants && (
              <th scope="col" class="px-3 py-2">
                Tenants
              </th>
            )}
            <th scope="col" class="px-3 py-2">
              Last sign-in
            </th>
            <th scope="col" class="px-3 py-2">
              Created
            </th>
          </tr>
        </thead>
        <tbody>
          {page.items.length === 0 && (
            <tr>
              <td colspan={showTenants ? 6 : 5} class="px-3 py-6 text-center text-slate-600">
                No users match.
              </td>
            </tr>
          )}
          {page.items.map((u) => (
            <UserRow user={u} now={now} showTenants={showTenants} />
          ))}
        </tbody>
      </table>
    </div>
    {(page.prevBefore || page.nextAfter) && (
      <nav aria-label="Pages" class="mt-3 flex items-center gap-4 text-sm">
        {page.prevBefore && (
          <a
            rel="prev"
            href={userListUrl(query, { after: '', before: page.prevBefore })}
            class="text-violet-700 underline"
          >
            Previous
          </a>
        )}
        {page.nextAfter && (
          <a
            rel="next"
            href={userListUrl(query, { before: '', after: page.nextAfter })}
            class="text-violet-700 underline"
          >
            Next
          </a>
        )}
      </nav>
    )}
  </div>
)

/** One user; a click on the row or Enter on it opens the user (public/app.js). */
export const UserRow: FC<{ user: UserListItem; now: Date; showTenants: boolean }> = ({
  user: u,
  now,
  showTenants,
}) => {
  const more = u.membershipCount - u.tenants.length
  return (
    <tr
      id={`user-${u.id}`}
      class="border-t border-slate-100 cursor-pointer hover:bg-violet-50 focus:bg-violet-50 focus:outline focus:outline-2 focus:outline-violet-700"
      data-href={`/users/${u.id}`}
      tabindex={-1}
    >
      <td class="px-3 py-2">
        <a href={`/users/${u.id}`} class="text-violet-800 underline">
          {u.email}
        </a>
      </td>
      <td class="px-3 py-2">{u.name}</td>
      <td class="px-3 py-2">
        <UserStatusBadge status={u.status} />
      </td>
      {showTenants && (
        <td class="px-3 py-2 text-xs">
          {u.tenants.length === 0 && <span class="text-slate-600">none</span>}
          {u.tenants.map((t, i) => (
            <>
              {i > 0 && ', '}
              <span class="font-mono">{t.slug}</span> <span class="text-slate-600">({t.role})</span>
            </>
          ))}
          {more > 0 && <span class="ml-1 font-medium"> +{more}</span>}
        </td>
      )}
      <td class="px-3 py-2 whitespace-nowrap">
        {u.lastLoginAt ? (
          <time datetime={u.lastLoginAt.toISOString()} title={formatDateTime(u.lastLoginAt)}>
            {formatAge(u.lastLoginAt, now)}
          </time>
        ) : (
          <span class="text-slate-600">never</span>
        )}
      </td>
      <td class="px-3 py-2 whitespace-nowrap">{formatDate(u.createdAt)}</td>
    </tr>
  )
}

/**
 * Search and filters: a GET form (works without JavaScript); under htmx, typing (debounced) or
 * choosing swaps #user-table and pushes the address, one history entry per settled search.
 */
export const UserFilters: FC<{ query: UserListQuery }> = ({ query }) => (
  <form
    method="get"
    action="/users"
    class="mb-4 flex flex-wrap items-end gap-3"
    hx-get="/users"
    hx-target="#user-table"
    hx-trigger="input changed delay:250ms from:#user-search, change from:#user-status, change from:#user-role, change from:#user-signed-in, change from:#user-joined, submit"
    hx-push-url="true"
    hx-sync="this:replace"
  >
    <FilterField id="user-search" label="Search email or name">
      <input
        id="user-search"
        type="search"
        name="q"
        value={query.q}
        placeholder="Press / to search"
        autocomplete="off"
        data-search
        class="w-64 max-w-full rounded border border-slate-300 px-3 py-1.5 text-sm"
      />
    </FilterField>
    <FilterSelect
      id="user-status"
      name="status"
      label="Status"
      value={query.status}
      options={anyOr('Any status', USER_STATUSES)}
    />
    <FilterSelect
      id="user-role"
      name="role"
      label="Tenant role"
      value={query.role}
      options={anyOr('Any role', MEMBERSHIP_ROLES)}
    />
    <FilterSelect
      id="user-signed-in"
      name="signed_in"
      label="Signed in"
      value={query.signedIn}
      options={[
        { value: '', label: 'Any time' },
        ...SIGNED_IN_WITHIN.map((w) => ({ value: w, label: SIGNED_IN_LABELS[w] })),
      ]}
    />
    <FilterSelect
      id="user-joined"
      name="joined"
      label="Joined"
      value={query.joined}
      options={[
        { value: '', label: 'Any time' },
        ...JOINED_WITHIN.map((w) => ({ value: w, label: JOINED_LABELS[w] })),
      ]}
    />
    <Button kind="plain">Filter</Button>
  </form>
)

/** Every tenant user: filters, the table (the fragment searches swap) and the keyboard help. */
export const UsersPage: FC<UserTableProps> = (p) => (
  <>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Users</h1>
    <UserFilters query={p.query} />
    <UserTable {...p} />
    <p class="mt-3 text-xs text-slate-600">
      Keys: <kbd>/</kbd> search · <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · a click
      on a row opens it
    </p>
  </>
)
