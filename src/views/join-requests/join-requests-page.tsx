import type { FC } from 'hono/jsx'
import { roleCan } from '../../auth/permissions.js'
import type { JoinRequestListItem } from '../../db/join-requests.js'
import type { JoinRequestStatus, MembershipRole } from '../../db/schema.js'
import type { SuperAdmin } from '../../db/super-admins.js'
import { formatAge, formatDateTime } from '../format.js'

/** The list's address as typed: tenant id or slug, status, age in days, page. */
export type JoinRequestListQuery = {
  tenant: string
  status: JoinRequestStatus | ''
  age: '' | '1' | '7' | '30'
  page: number
}

/** What a decision form sent back, with messages next to its fields (a 422). */
export type DecisionForm = {
  ids: string[]
  role: string
  reason: string
  /** The row whose own form was used; undefined for the bulk form. */
  rowId?: string
  errors: Partial<Record<'ids' | 'role' | 'reason', string>>
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
}

export const ROLES: MembershipRole[] = ['member', 'admin', 'owner']
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

const STATUS_STYLES: Record<JoinRequestStatus, string> = {
  pending: 'bg-amber-100 text-amber-900',
  approved: 'bg-emerald-100 text-emerald-800',
  denied: 'bg-slate-200 text-slate-700',
}

const ErrorText: FC<{ id: string; text?: string }> = (p) =>
  p.text ? (
    <p id={p.id} class="m-0 mt-1 text-xs text-red-700">
      {p.text}
    </p>
  ) : null

const RoleSelect: FC<{ id: string; label: string; value: string; error?: string; sr?: boolean }> = (
  p,
) => (
  <span class="inline-block">
    <label for={p.id} class={p.sr ? 'sr-only' : 'mr-1 text-xs font-medium text-slate-700'}>
      {p.label}
    </label>
    <select
      id={p.id}
      name="role"
      aria-invalid={p.error ? 'true' : undefined}
      aria-describedby={p.error ? `${p.id}-error` : undefined}
      class="rounded border border-slate-300 px-1 py-1 text-xs"
    >
      {ROLES.map((r) => (
        <option value={r} selected={p.value === r}>
          {r}
        </option>
      ))}
    </select>
    <ErrorText id={`${p.id}-error`} text={p.error} />
  </span>
)

const BUTTON =
  'rounded border px-2 py-1 text-xs font-medium cursor-pointer focus:outline focus:outline-2 focus:outline-violet-700'

/**
 * Approve or deny the checked rows: one form the row checkboxes join with `form=`, so the rows'
 * own forms need not nest in it. Without JavaScript the buttons post (`formaction`) and the
 * server redirects back with a flash; under htmx the list is swapped in place.
 */
const BulkDecision: FC<{ back: string; form?: DecisionForm }> = ({ back, form }) => {
  const bulk = form && !form.rowId ? form : undefined
  return (
    <form
      id="join-requests-bulk"
      method="post"
      action="/join-requests/approval"
      hx-target="#join-requests"
      hx-swap="outerHTML"
      aria-label="Decide the selected requests"
      class="mb-3 flex flex-wrap items-start gap-3 rounded border border-slate-200 bg-white p-3"
    >
      <input type="hidden" name="back" value={back} />
      <span class="text-xs text-slate-700">
        Selected requests:
        <ErrorText id="bulk-ids-error" text={bulk?.errors.ids} />
      </span>
      <RoleSelect
        id="bulk-role"
        label="Role"
        value={bulk?.role ?? 'member'}
        error={bulk?.errors.role}
      />
      <button
        type="submit"
        hx-post="/join-requests/approval"
        class={`${BUTTON} border-emerald-700 bg-emerald-700 text-white`}
      >
        Approve selected
      </button>
      <span class="inline-block">
        <label for="bulk-reason" class="mr-1 text-xs font-medium text-slate-700">
          Reason
        </label>
        <input
          id="bulk-reason"
          name="reason"
          value={bulk?.reason ?? ''}
          maxlength={500}
          aria-invalid={bulk?.errors.reason ? 'true' : undefined}
          aria-describedby={bulk?.errors.reason ? 'bulk-reason-error' : undefined}
          class="w-56 rounded border border-slate-300 px-2 py-1 text-xs"
        />
        <ErrorText id="bulk-reason-error" text={bulk?.errors.reason} />
      </span>
      <button
        type="submit"
        formaction="/join-requests/denial"
        hx-post="/join-requests/denial"
        class={`${BUTTON} border-red-700 bg-white text-red-800`}
      >
        Deny selected
      </button>
    </form>
  )
}

/** One request's own Approve (with a role) and Deny (with a reason, behind a disclosure). */
const RowDecision: FC<{ r: JoinRequestListItem; back: string; form?: DecisionForm }> = ({
  r,
  back,
  form,
}) => {
  const mine = form?.rowId === r.id ? form : undefined
  const common = { 'hx-target': '#join-requests', 'hx-swap': 'outerHTML' }
  return (
    <div class="flex flex-wrap items-start justify-end gap-2">
      <form
        method="post"
        action="/join-requests/approval"
        hx-post="/join-requests/approval"
        {...common}
      >
        <input type="hidden" name="ids" value={r.id} />
        <input type="hidden" name="row" value={r.id} />
        <input type="hidden" name="back" value={back} />
        <RoleSelect
          id={`role-${r.id}`}
          label={`Role for ${r.email}`}
          value={mine?.role ?? 'member'}
          error={mine?.errors.role}
          sr
        />{' '}
        <button
          type="submit"
          aria-label={`Approve ${r.email}`}
          class={`${BUTTON} border-emerald-700 bg-emerald-50 text-emerald-900`}
        >
          Approve
        </button>
      </form>
      <details open={mine?.errors.reason ? true : undefined} class="text-left">
        <summary class="cursor-pointer text-xs text-red-800 underline">
          Deny<span class="sr-only"> {r.email}</span>
        </summary>
        <form
          method="post"
          action="/join-requests/denial"
          hx-post="/join-requests/denial"
          {...common}
          class="mt-1"
        >
          <input type="hidden" name="ids" value={r.id} />
          <input type="hidden" name="row" value={r.id} />
          <input type="hidden" name="back" value={back} />
          <label for={`reason-${r.id}`} class="block text-xs font-medium text-slate-700">
            Reason for denying {r.email}
          </label>
          <input
            id={`reason-${r.id}`}
            name="reason"
            value={mine?.reason ?? ''}
            maxlength={500}
            aria-invalid={mine?.errors.reason ? 'true' : undefined}
            aria-describedby={mine?.errors.reason ? `reason-${r.id}-error` : undefined}
            class="w-48 rounded border border-slate-300 px-2 py-1 text-xs"
          />
          <ErrorText id={`reason-${r.id}-error`} text={mine?.errors.reason} />
          <button type="submit" class={`${BUTTON} mt-1 border-red-700 bg-white text-red-800`}>
            Deny request
          </button>
        </form>
      </details>
    </div>
  )
}

/** Who decided and why, for a request that is no longer pending. */
const Decision: FC<{ r: JoinRequestListItem }> = ({ r }) => (
  <span class="text-xs text-slate-700">
    {r.status === 'approved' ? `as ${r.role}` : r.reason}
    <span class="block text-slate-600">
      {r.decidedByEmail ?? (r.status === 'approved' ? 'auto-join domain' : 'system')},{' '}
      {formatDateTime(r.decidedAt)}
    </span>
  </span>
)

export const JoinRequestRow: FC<{
  r: JoinRequestListItem
  canDecide: boolean
  back: string
  now: Date
  form?: DecisionForm
}> = ({ r, canDecide, back, now, form }) => (
  <tr id={`join-request-${r.id}`} class="border-t border-slate-100 align-top">
    {canDecide && (
      <td class="px-3 py-2">
        {r.status === 'pending' && (
          <>
            <label for={`select-${r.id}`} class="sr-only">
              Select the request of {r.email}
            </label>
            <input
              id={`select-${r.id}`}
              type="checkbox"
              name="ids"
              value={r.id}
              form="join-requests-bulk"
              checked={form && !form.rowId ? form.ids.includes(r.id) : undefined}
            />
          </>
        )}
      </td>
    )}
    <td class="px-3 py-2">
      <span class="block">{r.email}</span>
      {(r.userName ?? r.name) && (
        <span class="block text-xs text-slate-600">
          {r.userName ?? r.name}
          {r.userId ? '' : ' (new user)'}
        </span>
      )}
    </td>
    <td class="px-3 py-2">
      <a
        href={`/tenants/${r.tenantId}`}
        class="whitespace-nowrap font-mono text-violet-800 underline"
      >
        {r.tenantSlug}
      </a>
      {r.tenantStatus !== 'active' && (
        <span class="block text-xs text-amber-900">{r.tenantStatus}</span>
      )}
    </td>
    <td class="px-3 py-2 max-w-64 text-xs text-slate-800">{r.message}</td>
    <td class="px-3 py-2">
      <span
        class={`inline-block rounded px-2 py-0.5 text-xs font-medium ${STATUS_STYLES[r.status]}`}
      >
        {r.status}
      </span>
    </td>
    <td class="px-3 py-2 whitespace-nowrap">
      <time datetime={r.createdAt.toISOString()} title={formatDateTime(r.createdAt)}>
        {formatAge(r.createdAt, now)}
      </time>
    </td>
    <td class="px-3 py-2 text-right">
      {r.status !== 'pending' ? (
        <Decision r={r} />
      ) : canDecide ? (
        <RowDecision r={r} back={back} form={form} />
      ) : null}
    </td>
  </tr>
)

/** The swappable list: bulk controls, rows, paging. */
export const JoinRequestList: FC<JoinRequestListProps> = (p) => {
  const canDecide = roleCan(p.operator.role, 'saas.join_requests.decide')
  const back = joinRequestListUrl(p.query)
  // Past the cap the last page is unknown: "Next" shows while pages come back full.
  const pages = p.capped
    ? p.query.page + (p.items.length === p.perPage ? 1 : 0)
    : Math.max(1, Math.ceil(p.total / p.perPage))
  const anyPending = p.items.some((r) => r.status === 'pending')
  return (
    <div id="join-requests">
      {p.notice && <p class="m-0 mb-2 text-sm font-medium text-emerald-800">{p.notice}</p>}
      <p class="m-0 mb-2 text-xs text-slate-600">
        {p.capped ? `More than ${p.total.toLocaleString('en')}` : p.total} request
        {p.total === 1 ? '' : 's'} · {p.pending} pending in all
      </p>
      {canDecide && anyPending && <BulkDecision back={back} form={p.form} />}
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
              <th scope="col" class="px-3 py-2">
                Tenant
              </th>
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
                <td colspan={canDecide ? 7 : 6} class="px-3 py-6 text-center text-slate-600">
                  No join requests match.
                </td>
              </tr>
            )}
            {p.items.map((r) => (
              <JoinRequestRow r={r} canDecide={canDecide} back={back} now={p.now} form={p.form} />
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

const FilterLabel: FC<{ for: string; children: string }> = (p) => (
  <label for={p.for} class="block text-xs font-medium text-slate-700 mb-1">
    {p.children}
  </label>
)

/** Tenant, status and age: a GET form, swapped in place under htmx. */
export const JoinRequestFilters: FC<{ query: JoinRequestListQuery }> = ({ query }) => (
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
    <div>
      <FilterLabel for="join-tenant">Tenant (slug or id)</FilterLabel>
      <input
        id="join-tenant"
        name="tenant"
        value={query.tenant}
        autocomplete="off"
        class="w-48 rounded border border-slate-300 px-2 py-1.5 text-sm"
      />
    </div>
    <div>
      <FilterLabel for="join-status">Status</FilterLabel>
      <select
        id="join-status"
        name="status"
        class="rounded border border-slate-300 px-2 py-1.5 text-sm"
      >
        <option value="" selected={query.status === ''}>
          Any status
        </option>
        {(['pending', 'approved', 'denied'] as const).map((s) => (
          <option value={s} selected={query.status === s}>
            {s}
          </option>
        ))}
      </select>
    </div>
    <div>
      <FilterLabel for="join-age">Age</FilterLabel>
      <select id="join-age" name="age" class="rounded border border-slate-300 px-2 py-1.5 text-sm">
        {AGES.map((a) => (
          <option value={a.value} selected={query.age === a.value}>
            {a.label}
          </option>
        ))}
      </select>
    </div>
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
    <JoinRequestFilters query={p.query} />
    <JoinRequestList {...p} />
  </>
)
