import type { FC } from 'hono/jsx'
import { anyOr, FilterField, FilterSelect } from '../components/filter-field.js'
import { roleCan } from '../../auth/permissions.js'
import type { JoinRequestListItem } from '../../db/join-requests.js'
import type { JoinRequestStatus } from '../../db/schema.js'
import type { SuperAdmin } from '../../db/super-admins.js'
import { BulkDecision, grantableRoles, type DecisionForm } from './decision-controls.js'
import { JoinRequestRow } from './join-request-row.js'

/** The list's address as typed: tenant id or slug, status, age in days, page. */
export type JoinRequestListQuery = {
  tenant: string
  status: JoinRequestStatus | ''
  age: '' | '1' | '7' | '30'
  page: number
}

export type JoinRequestListProps = {
  operator: SuperAdmin
  items: JoinRequestListItem[]
  /** Matches over all pages, counted up to a cap; `capped` says there are more. */
  total: number
  capped?: boolean
  pending: number
  perPage: number
  query: JoinRequestListQuery
  now: Date
  form?: DecisionForm
  /** What the last action did (the live region says it too). */
  notice?: string
  /** The tenant column and filter; off when the scope narrows the list to one customer. */
  showTenant: boolean
}

const AGES = [
  { value: '', label: 'Any age' },
  { value: '1', label: 'Older than 1 day' },
  { value: '7', label: 'Older than 7 days' },
  { value: '30', label: 'Older than 30 days' },
] as const

/** `/join-requests` with this query, leaving out the defaults. */
export function joinRequestListUrl(
  query: JoinRequestListQuery,
  change: Partial<JoinRequestListQuery> = {},
): string {
  const q = { ...query, ...change }
  const params = new URLSearchParams()
  if (q.tenant) params.set('tenant', q.tenant)
  if (q.status) params.set('status', q.status)
  if (q.age) params.set('age', q.age)
  if (q.page > 1) params.set('page', String(q.page))
  const s = params.toString()
  return s ? `/join-requests?${s}` : '/join-requests'
}

/** The swappable list: bulk controls, rows, paging. */
export const JoinRequestList: FC<JoinRequestListProps> = (p) => {
  const canDecide = roleCan(p.operator.role, 'saas.join_requests.decide')
  const roles = grantableRoles(roleCan(p.operator.role, 'saas.users.edit'))
  const back = joinRequestListUrl(p.query)
  // Past the cap the last page is unknown: "Next" shows while pages come back full.
  const pages = p.capped
    ? p.query.page + (p.items.length === p.perPage ? 1 : 0)
    : Math.max(1, Math.ceil(p.total / p.perPage))
  const anyPending = p.items.some((r) => r.status === 'pending')
  return (
    // A decision swaps the whole list; focus comes back to it (public/app.js, data-keep-focus)
    // instead of falling to the page's start with the button that had it.
    <div
      id="join-requests"
      tabindex={-1}
      data-keep-focus="#join-requests"
      class="focus:outline-none"
    >
      {p.notice && <p class="m-0 mb-2 text-sm font-medium text-emerald-800">{p.notice}</p>}
      <p class="m-0 mb-2 text-xs text-slate-600">
        {p.capped ? `More than ${p.total.toLocaleString('en')}` : p.total} request
        {p.total === 1 ? '' : 's'} · {p.pending} pending in all
      </p>
      {canDecide && anyPending && <BulkDecision back={back} form={p.form} roles={roles} />}
      <div class="overflow-x-auto rounded border border-slate-200 bg-white">
        <table class="w-full text-sm">
          <caption class="sr-only">Join requests, pending first, then newest</caption>
          <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
            <tr>
              {canDecide && (
                <th scope="col" class="px-3 py-2">
                  <span class="sr-only">Select</span>
                </th>
              )}
              <th scope="col" class="px-3 py-2">
                Requester
              </th>
              {p.showTenant && (
                <th scope="col" class="px-3 py-2">
                  Tenant
                </th>
              )}
              <th scope="col" class="px-3 py-2">
                Message
              </th>
              <th scope="col" class="px-3 py-2">
                Status
              </th>
              <th scope="col" class="px-3 py-2">
                Requested
              </th>
              <th scope="col" class="px-3 py-2 text-right">
                Decision
              </th>
            </tr>
          </thead>
          <tbody>
            {p.items.length === 0 && (
              <tr>
                <td
                  colspan={(canDecide ? 7 : 6) - (p.showTenant ? 0 : 1)}
                  class="px-3 py-6 text-center text-slate-600"
                >
                  No join requests match.
                </td>
              </tr>
            )}
            {p.items.map((r) => (
              <JoinRequestRow
                r={r}
                canDecide={canDecide}
                back={back}
                now={p.now}
                form={p.form}
                showTenant={p.showTenant}
                roles={roles}
              />
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <nav aria-label="Pages" class="mt-3 flex items-center gap-3 text-sm">
          {p.query.page > 1 && (
            <a
              rel="prev"
              href={joinRequestListUrl(p.query, { page: p.query.page - 1 })}
              class="text-violet-700 underline"
            >
              Previous
            </a>
          )}
          <span class="text-slate-600">
            Page {p.query.page}
            {p.capped ? '' : ` of ${pages}`}
          </span>
          {p.query.page < pages && (
            <a
              rel="next"
              href={joinRequestListUrl(p.query, { page: p.query.page + 1 })}
              class="text-violet-700 underline"
            >
              Next
            </a>
          )}
        </nav>
      )}
    </div>
  )
}

/** Tenant, status and age: a GET form, swapped in place under htmx. */
export const JoinRequestFilters: FC<{ query: JoinRequestListQuery; showTenant: boolean }> = ({
  query,
  showTenant,
}) => (
  <form
    method="get"
    action="/join-requests"
    class="mb-4 flex flex-wrap items-end gap-3"
    hx-get="/join-requests"
    hx-target="#join-requests"
    hx-swap="outerHTML"
    hx-trigger="change, submit"
    hx-push-url="true"
  >
    {showTenant && (
      <FilterField id="join-tenant" label="Tenant (slug or id)">
        <input
          id="join-tenant"
          name="tenant"
          value={query.tenant}
          autocomplete="off"
          class="w-48 rounded border border-slate-300 px-2 py-1.5 text-sm"
        />
      </FilterField>
    )}
    <FilterSelect
      id="join-status"
      name="status"
      label="Status"
      value={query.status}
      options={anyOr('Any status', ['pending', 'approved', 'denied'])}
    />
    <FilterSelect id="join-age" name="age" label="Age" value={query.age} options={AGES} />
    <button
      type="submit"
      class="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 cursor-pointer"
    >
      Filter
    </button>
  </form>
)

export const JoinRequestsPage: FC<JoinRequestListProps> = (p) => (
  <>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Join requests</h1>
    <JoinRequestFilters query={p.query} showTenant={p.showTenant} />
    <JoinRequestList {...p} />
  </>
)
