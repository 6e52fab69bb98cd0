import type { FC } from 'hono/jsx'
import { FilterField } from '../components/filter-field.js'
import { roleCan } from '../../auth/permissions.js'
import type { Plan } from '../../db/plans.js'
import type { TenantHealth, TenantStatus } from '../../db/schema.js'
import type { SuperAdmin } from '../../db/super-admins.js'
import type { TenantDunningFilter, TenantListItem, TenantSort } from '../../db/tenants.js'
import { Button, ButtonLink } from '../components/button.js'
import { SortHeader } from '../components/sort-header.js'
import { formatAge, formatBytes, formatDate } from '../format.js'
import { StatusAction, StatusBadge } from './tenant-status.js'
import { DeletionNote } from './deletion-status.js'
import type { FlagChoice } from '../../db/flag-choices.js'
import type { FilterErrors } from '../../tenancy/bulk-filter.js'
import { BulkChangeForm, FlagFilter } from './tenant-filters.js'
import { HealthBadge } from '../fleet/health-badge.js'
import { HealthFilter } from './tenant-health-filter.js'
import { DunningBadge, formatMoney } from '../billing/tenant-format.js'
import { DunningFilter, NodeFilter } from './tenant-filters.js'

/** The table's address as the operator typed it; dates stay strings so a bad one is shown back. */
export type TenantListQuery = {
  q: string
  status: TenantStatus | ''
  plan: string
  /** Created from this day (YYYY-MM-DD, inclusive). */
  from: string
  /** Created up to this day (YYYY-MM-DD, inclusive). */
  to: string
  /** A flag key; with `flag_state`, tenants whose resolved value is that state. */
  flag: string
  /** `on` | `off` or a variant of `flag`. */
  flag_state: string
  /** The latest health check's verdict (issue 11 item 2). */
  health?: TenantHealth | ''
  /** Billing dunning (issue 12): `in` or `suggest_suspend`; not part of a bulk change's filter. */
  dunning?: TenantDunningFilter | ''
  /** On Citus, the node (`host:port`) holding the schema (issue 13); not part of a bulk filter. */
  node?: string
  sort: TenantSort
  dir: 'asc' | 'desc'
  page: number
}

/** Messages for filter fields that could not be used (an impossible date, an unknown flag). */
export type TenantFilterErrors = FilterErrors

export type TenantTableProps = {
  operator: SuperAdmin
  items: TenantListItem[]
  total: number
  perPage: number
  query: TenantListQuery
  /** Filters that could not be used; the table says so above the rows. */
  errors: TenantFilterErrors
  snapshotAt: Date | undefined
  now: Date
  /**
   * On Citus, every node that may hold tenant schemas (`host:port`): the table then has a Node
   * column and filter. Empty or absent off Citus, and the markup is as before.
   */
  citusNodes?: string[]
}

/** The direction a column sorts in when first chosen: names A→Z, numbers and dates biggest first. */
const FIRST_DIRECTION: Record<TenantSort, 'asc' | 'desc'> = {
  name: 'asc',
  created: 'desc',
  members: 'desc',
  storage: 'desc',
  activity: 'desc',
  mrr: 'desc',
}

/** `/tenants` with this query, leaving out what is the default (first page, newest first). */
export function tenantListUrl(
  query: TenantListQuery,
  change: Partial<TenantListQuery> = {},
): string {
  const q = { ...query, ...change }
  const params = new URLSearchParams()
  if (q.q) params.set('q', q.q)
  if (q.status) params.set('status', q.status)
  if (q.plan) params.set('plan', q.plan)
  if (q.from) params.set('from', q.from)
  if (q.to) params.set('to', q.to)
  if (q.flag) params.set('flag', q.flag)
  if (q.flag_state) params.set('flag_state', q.flag_state)
  if (q.health) params.set('health', q.health)
  if (q.dunning) params.set('dunning', q.dunning)
  if (q.node) params.set('node', q.node)
  if (q.sort !== 'created' || q.dir !== 'desc') {
    params.set('sort', q.sort)
    params.set('dir', q.dir)
  }
  if (q.page > 1) params.set('page', String(q.page))
  const s = params.toString()
  return s ? `/tenants?${s}` : '/tenants'
}

/** Does the query narrow the fleet (so an empty table means "no match", not "no tenants")? */
function isFiltered(query: TenantListQuery): boolean {
  return Boolean(
    query.q ||
    query.status ||
    query.plan ||
    query.from ||
    query.to ||
    query.flag ||
    query.flag_state ||
    query.health ||
    query.dunning ||
    query.node,
  )
}

const Sortable: FC<{ query: TenantListQuery; sort: TenantSort; label: string; right?: boolean }> = (
  p,
) => {
  const current = p.query.sort === p.sort
  const dir = current ? (p.query.dir === 'asc' ? 'desc' : 'asc') : FIRST_DIRECTION[p.sort]
  return (
    <SortHeader
      label={p.label}
      href={tenantListUrl(p.query, { sort: p.sort, dir, page: 1 })}
      sorted={current ? (p.query.dir === 'asc' ? 'ascending' : 'descending') : undefined}
      align={p.right ? 'right' : 'left'}
    />
  )
}

/** The swappable table: rows, paging and the storage snapshot's age. */
export const TenantTable: FC<TenantTableProps> = (p) => {
  const pages = Math.max(1, Math.ceil(p.total / p.perPage))
  const showNode = (p.citusNodes?.length ?? 0) > 0
  return (
    <div id="tenant-table">
      <div class="mb-2 flex flex-wrap justify-between gap-2 text-xs text-slate-600">
        <span>
          {p.total} tenant{p.total === 1 ? '' : 's'}
          {p.query.q && ` matching “${p.query.q}”`}
        </span>
        <span>
          Storage snapshot:{' '}
          {p.snapshotAt ? `taken ${formatAge(p.snapshotAt, p.now)}` : 'not taken yet'}
        </span>
      </div>
      {(p.errors.from || p.errors.to) && (
        <div
          role="alert"
          tabindex={-1}
          data-error-summary
          class="mb-3 rounded border border-red-300 bg-red-50 px-4 py-2 text-sm text-red-900"
        >
          The created range was not applied:{' '}
          {[
            p.errors.from && `Created from: ${p.errors.from}`,
            p.errors.to && `Created to: ${p.errors.to}`,
          ]
            .filter(Boolean)
            .join(' ')}
        </div>
      )}
      {(p.errors.flag || p.errors.flag_state) && (
        <div
          role="alert"
          class="mb-3 rounded border border-red-300 bg-red-50 px-4 py-2 text-sm text-red-900"
        >
          The flag state was not applied: {p.errors.flag ?? p.errors.flag_state}
        </div>
      )}
      {/* A batch stores the bulk filter, which has no dunning nor node: never offer it on fewer rows. */}
      {p.total > 0 && Object.keys(p.errors).length === 0 && !p.query.dunning && !p.query.node && (
        <BulkChangeForm query={p.query} operator={p.operator} total={p.total} />
      )}
      {p.total === 0 && !isFiltered(p.query) ? (
        <EmptyFleet operator={p.operator} />
      ) : (
        <div class="overflow-x-auto rounded border border-slate-200 bg-white">
          <table class="w-full text-sm" data-keyboard-table>
            <caption class="sr-only">
              Tenants, sorted by {p.query.sort} (
              {p.query.dir === 'asc' ? 'ascending' : 'descending'})
            </caption>
            <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
              <tr>
                <th scope="col" class="px-3 py-2">
                  Slug
                </th>
                <Sortable query={p.query} sort="name" label="Name" />
                <th scope="col" class="px-3 py-2">
                  Plan
                </th>
                <th scope="col" class="px-3 py-2">
                  Status
                </th>
                <th scope="col" class="px-3 py-2">
                  Health
                </th>
                <Sortable query={p.query} sort="mrr" label="MRR" right />
                <Sortable query={p.query} sort="members" label="Members" right />
                <Sortable query={p.query} sort="storage" label="Storage (DB + files)" right />
                {showNode && (
                  <th scope="col" class="px-3 py-2">
                    Node
                  </th>
                )}
                <Sortable query={p.query} sort="activity" label="Last activity" />
                <Sortable query={p.query} sort="created" label="Created" />
                <th scope="col" class="px-3 py-2 sticky right-0 bg-slate-50">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {p.items.length === 0 && (
                <tr>
                  <td colspan={showNode ? 12 : 11} class="px-3 py-6 text-center text-slate-600">
                    No tenants match.
                  </td>
                </tr>
              )}
              {p.items.map((t) => (
                <TenantRow tenant={t} operator={p.operator} now={p.now} showNode={showNode} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 && (
        <nav aria-label="Pages" class="mt-3 flex items-center gap-3 text-sm">
          {p.query.page > 1 && (
            <a
              rel="prev"
              href={tenantListUrl(p.query, { page: p.query.page - 1 })}
              class="text-violet-700 underline"
            >
              Previous
            </a>
          )}
          <span class="text-slate-600">
            Page {p.query.page} of {pages}
          </span>
          {p.query.page < pages && (
            <a
              rel="next"
              href={tenantListUrl(p.query, { page: p.query.page + 1 })}
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

/** No tenant at all yet: say so, and offer the first one to those who may create it. */
const EmptyFleet: FC<{ operator: SuperAdmin }> = ({ operator }) => (
  <div class="rounded border border-dashed border-slate-300 bg-white px-6 py-10 text-center">
    <p class="m-0 mb-4 text-slate-700">There are no tenants yet.</p>
    {roleCan(operator.role, 'saas.tenants.create') ? (
      <ButtonLink href="/tenants/new">Create the first tenant</ButtonLink>
    ) : (
      <p class="m-0 text-sm text-slate-600">An admin or owner can create the first one.</p>
    )}
  </div>
)

/** What a row says after an action on it, with Undo where the action can be reversed. */
export type RowNotice = { text: string; undo: boolean }

/**
 * One row; the whole row opens the tenant on click (public/app.js), the slug link is the
 * keyboard and no-JavaScript path. Its suspend/activate form swaps the row in place under htmx
 * and focus comes back to the row (`data-keep-focus`).
 */
export const TenantRow: FC<{
  tenant: TenantListItem
  operator: SuperAdmin
  now: Date
  notice?: RowNotice
  /** On Citus: the Node column (the table's header has it too). */
  showNode?: boolean
}> = ({ tenant: t, operator, now, notice, showNode }) => (
  <tr id={`tenant-${t.id}`} class="group row-link" data-href={`/tenants/${t.id}`} tabindex={-1}>
    <td class="cell font-mono">
      <a href={`/tenants/${t.id}`} class="row-link-text">
        {t.slug}
      </a>
    </td>
    <td class="cell">{t.name}</td>
    <td class="cell">{t.planName}</td>
    <td class="cell">
      <StatusBadge status={t.status} />
      <DeletionNote tenant={t} now={now} />
    </td>
    <td class="cell">
      <HealthBadge health={t.health} />
    </td>
    <td class="cell-num">
      {t.billingMrrCents !== null && t.billingCurrency ? (
        formatMoney(t.billingMrrCents, t.billingCurrency)
      ) : (
        <span class="text-slate-600">—</span>
      )}
      <span class="block">
        <DunningBadge startedAt={t.dunningStartedAt} now={now} />
      </span>
    </td>
    <td class="cell-num">{t.members}</td>
    <td class="cell-num">
      {t.storage ? (
        <>
          {formatBytes(t.storage.dbBytes + t.storage.fileBytes)}
          <span class="block text-xs text-slate-600">
            {formatBytes(t.storage.dbBytes)} + {formatBytes(t.storage.fileBytes)}
          </span>
        </>
      ) : (
        <span class="text-slate-600">not measured</span>
      )}
    </td>
    {showNode && (
      <td class="cell font-mono">
        {t.node ?? (
          <span class="font-sans text-slate-600">{t.storage ? 'coordinator (local)' : '—'}</span>
        )}
      </td>
    )}
    <td class="cell-nowrap">
      {t.lastActivityAt ? (
        <time datetime={t.lastActivityAt.toISOString()} title={formatDate(t.lastActivityAt)}>
          {formatAge(t.lastActivityAt, now)}
        </time>
      ) : (
        <span class="text-slate-600">never</span>
      )}
    </td>
    <td class="cell-nowrap">{formatDate(t.createdAt)}</td>
    <td class="cell-actions" data-keep-focus={`#tenant-${t.id}`}>
      {notice && <span class="mr-2 text-xs font-medium text-slate-700">{notice.text}</span>}
      <StatusAction tenant={t} operator={operator} target="closest tr" undo={notice?.undo} />
    </td>
  </tr>
)

/** The option of one status in the filter, with its count (ids let a row action refresh them). */
export const StatusOptionText: FC<{ status: TenantStatus; count: number }> = (p) => (
  <>
    {p.status} ({p.count})
  </>
)

/** Fresh status counts for the filter, swapped out of band with a row after an action. */
export const StatusCountsOob: FC<{ counts: Record<TenantStatus, number> }> = ({ counts }) => (
  <template>
    {(Object.keys(counts) as TenantStatus[]).map((s) => (
      <span hx-swap-oob={`innerHTML:#tenant-status-option-${s}`}>
        <StatusOptionText status={s} count={counts[s]} />
      </span>
    ))}
  </template>
)

/** Says `text` through the layout's live region, out of band with a swapped fragment. */
export const AnnounceOob: FC<{ text: string }> = ({ text }) => (
  <template>
    <div id="live-region" hx-swap-oob="innerHTML">
      {text}
    </div>
  </template>
)

const DateFilter: FC<{ name: 'from' | 'to'; label: string; value: string; error?: string }> = (
  p,
) => (
  <FilterField id={`tenant-${p.name}`} label={p.label} error={p.error}>
    <input
      id={`tenant-${p.name}`}
      type="date"
      name={p.name}
      value={p.value}
      aria-invalid={p.error ? 'true' : undefined}
      aria-describedby={p.error ? `tenant-${p.name}-error` : undefined}
      class={`rounded border px-2 py-1 text-sm ${p.error ? 'border-red-500' : 'border-slate-300'}`}
    />
  </FilterField>
)

/**
 * Search, status, plan and created range. A GET form (works without JavaScript); under htmx,
 * typing or choosing swaps the table and one history entry is kept per settled search.
 */
export const TenantFilters: FC<{
  query: TenantListQuery
  counts: Record<TenantStatus, number>
  plans: Plan[]
  flags: FlagChoice[]
  errors: TenantFilterErrors
  citusNodes?: string[]
}> = ({ query, counts, plans, flags, errors, citusNodes = [] }) => (
  <form
    method="get"
    action="/tenants"
    class="mb-4 flex flex-wrap items-end gap-3"
    hx-get="/tenants"
    hx-target="#tenant-table"
    hx-trigger={`input changed delay:250ms from:#tenant-search, change from:#tenant-status, change from:#tenant-plan, change from:#tenant-from, change from:#tenant-to, change from:#tenant-flag, change from:#tenant-flag-state, change from:#tenant-health, change from:#tenant-dunning, ${citusNodes.length > 0 ? 'change from:#tenant-node, ' : ''}submit`}
    hx-push-url="true"
  >
    {query.sort !== 'created' || query.dir !== 'desc' ? (
      <>
        <input type="hidden" name="sort" value={query.sort} />
        <input type="hidden" name="dir" value={query.dir} />
      </>
    ) : null}
    <FilterField id="tenant-search" label="Search slug or name">
      <input
        id="tenant-search"
        type="search"
        name="q"
        value={query.q}
        placeholder="Press / to search"
        autocomplete="off"
        data-search
        class="w-64 max-w-full rounded border border-slate-300 px-3 py-1.5 text-sm"
      />
    </FilterField>
    <FilterField id="tenant-status" label="Status">
      <select
        id="tenant-status"
        name="status"
        class="rounded border border-slate-300 px-2 py-1.5 text-sm"
      >
        <option value="" selected={query.status === ''}>
          All but deleted
        </option>
        {(Object.keys(counts) as TenantStatus[]).map((s) => (
          <option id={`tenant-status-option-${s}`} value={s} selected={query.status === s}>
            <StatusOptionText status={s} count={counts[s]} />
          </option>
        ))}
      </select>
    </FilterField>
    <FilterField id="tenant-plan" label="Plan">
      <select
        id="tenant-plan"
        name="plan"
        class="rounded border border-slate-300 px-2 py-1.5 text-sm"
      >
        <option value="" selected={query.plan === ''}>
          All plans
        </option>
        {plans.map((plan) => (
          <option value={plan.id} selected={query.plan === plan.id}>
            {plan.name}
          </option>
        ))}
      </select>
    </FilterField>
    <DateFilter name="from" label="Created from" value={query.from} error={errors.from} />
    <DateFilter name="to" label="Created to" value={query.to} error={errors.to} />
    <FlagFilter query={query} flags={flags} errors={errors} />
    <HealthFilter health={query.health ?? ''} />
    <DunningFilter dunning={query.dunning ?? ''} />
    {citusNodes.length > 0 && <NodeFilter node={query.node ?? ''} nodes={citusNodes} />}
    <Button kind="plain">Filter</Button>
  </form>
)

/** The fleet: filters, the table (the fragment searches swap) and the keyboard help. */
export const TenantsPage: FC<
  TenantTableProps & {
    counts: Record<TenantStatus, number>
    plans: Plan[]
    flags: FlagChoice[]
  }
> = (p) => (
  <>
    <div class="mb-4 flex items-center justify-between">
      <h1 class="m-0 text-2xl font-semibold">Tenants</h1>
      {roleCan(p.operator.role, 'saas.tenants.create') && (
        <ButtonLink href="/tenants/new" accesskey="n">
          New tenant
        </ButtonLink>
      )}
    </div>
    <TenantFilters
      query={p.query}
      counts={p.counts}
      plans={p.plans}
      flags={p.flags}
      errors={p.errors}
      citusNodes={p.citusNodes}
    />
    <TenantTable {...p} />
    <p class="mt-3 text-xs text-slate-600">
      Keys: <kbd>/</kbd> search · <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · a click
      on a row opens it
    </p>
  </>
)
