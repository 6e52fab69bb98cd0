import type { FC } from 'hono/jsx'
import { roleCan } from '../../auth/permissions.js'
import type { TenantStatus } from '../../db/schema.js'
import type { SuperAdmin } from '../../db/super-admins.js'
import type { TenantListItem } from '../../db/tenants.js'
import { Button, ButtonLink } from '../components/button.js'
import { formatAge, formatBytes, formatDate } from '../format.js'
import { StatusAction, StatusBadge } from './tenant-status.js'

export type TenantListQuery = { q: string; status: TenantStatus | ''; page: number }

export type TenantTableProps = {
  operator: SuperAdmin
  items: TenantListItem[]
  total: number
  perPage: number
  query: TenantListQuery
  snapshotAt: Date | undefined
  now: Date
}

export function tenantListUrl(query: TenantListQuery, page = query.page): string {
  const params = new URLSearchParams()
  if (query.q) params.set('q', query.q)
  if (query.status) params.set('status', query.status)
  if (page > 1) params.set('page', String(page))
  const s = params.toString()
  return s ? `/tenants?${s}` : '/tenants'
}

/** The swappable table: rows, paging and the storage snapshot's age. */
export const TenantTable: FC<TenantTableProps> = (p) => {
  const pages = Math.max(1, Math.ceil(p.total / p.perPage))
  return (
    <div id="tenant-table">
      <div class="mb-2 flex justify-between text-xs text-slate-500">
        <span>
          {p.total} tenant{p.total === 1 ? '' : 's'}
          {p.query.q && ` matching “${p.query.q}”`}
        </span>
        <span>
          Storage snapshot:{' '}
          {p.snapshotAt ? `taken ${formatAge(p.snapshotAt, p.now)}` : 'not taken yet'}
        </span>
      </div>
      <div class="overflow-x-auto rounded border border-slate-200 bg-white">
        <table class="w-full text-sm" data-keyboard-table>
          <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" class="px-3 py-2">
                Slug
              </th>
              <th scope="col" class="px-3 py-2">
                Name
              </th>
              <th scope="col" class="px-3 py-2">
                Plan
              </th>
              <th scope="col" class="px-3 py-2">
                Status
              </th>
              <th scope="col" class="px-3 py-2 text-right">
                Members
              </th>
              <th scope="col" class="px-3 py-2 text-right">
                Storage (DB + files)
              </th>
              <th scope="col" class="px-3 py-2">
                Created
              </th>
              <th scope="col" class="px-3 py-2">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {p.items.length === 0 && (
              <tr>
                <td colspan={8} class="px-3 py-6 text-center text-slate-500">
                  No tenants match.
                </td>
              </tr>
            )}
            {p.items.map((t) => (
              <TenantRow tenant={t} operator={p.operator} />
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <nav aria-label="Pages" class="mt-3 flex items-center gap-3 text-sm">
          {p.query.page > 1 && (
            <a
              rel="prev"
              href={tenantListUrl(p.query, p.query.page - 1)}
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
              href={tenantListUrl(p.query, p.query.page + 1)}
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

/** One row; its suspend/activate form swaps the row in place under htmx. */
export const TenantRow: FC<{ tenant: TenantListItem; operator: SuperAdmin }> = ({
  tenant: t,
  operator,
}) => (
  <tr
    id={`tenant-${t.id}`}
    class="border-t border-slate-100 hover:bg-violet-50 focus-within:bg-violet-50"
    data-href={`/tenants/${t.id}`}
    tabindex={-1}
  >
    <td class="px-3 py-2 font-mono">
      <a href={`/tenants/${t.id}`} class="text-violet-800 underline">
        {t.slug}
      </a>
    </td>
    <td class="px-3 py-2">{t.name}</td>
    <td class="px-3 py-2">{t.planName}</td>
    <td class="px-3 py-2">
      <StatusBadge status={t.status} />
    </td>
    <td class="px-3 py-2 text-right tabular-nums">{t.members}</td>
    <td
      class="px-3 py-2 text-right tabular-nums"
      title={
        t.storage
          ? `DB ${formatBytes(t.storage.dbBytes)} + files ${formatBytes(t.storage.fileBytes)}`
          : undefined
      }
    >
      {t.storage ? (
        <>
          {formatBytes(t.storage.dbBytes + t.storage.fileBytes)}
          <span class="block text-xs text-slate-500">
            {formatBytes(t.storage.dbBytes)} + {formatBytes(t.storage.fileBytes)}
          </span>
        </>
      ) : (
        <span class="text-slate-400">not measured</span>
      )}
    </td>
    <td class="px-3 py-2 whitespace-nowrap">{formatDate(t.createdAt)}</td>
    <td class="px-3 py-2 text-right whitespace-nowrap">
      <StatusAction tenant={t} operator={operator} target={`#tenant-${t.id}`} />
    </td>
  </tr>
)

export const TenantFilters: FC<{
  query: TenantListQuery
  counts: Record<TenantStatus, number>
}> = ({ query, counts }) => (
  <form
    method="get"
    action="/tenants"
    class="mb-4 flex flex-wrap items-end gap-3"
    hx-get="/tenants"
    hx-target="#tenant-table"
    hx-trigger="input changed delay:250ms from:#tenant-search, change from:#tenant-status, submit"
    hx-push-url="true"
  >
    <div>
      <label for="tenant-search" class="block text-xs font-medium text-slate-600 mb-1">
        Search slug or name
      </label>
      <input
        id="tenant-search"
        type="search"
        name="q"
        value={query.q}
        placeholder="Press / to search"
        autocomplete="off"
        data-search
        class="w-72 rounded border border-slate-300 px-3 py-1.5 text-sm"
      />
    </div>
    <div>
      <label for="tenant-status" class="block text-xs font-medium text-slate-600 mb-1">
        Status
      </label>
      <select
        id="tenant-status"
        name="status"
        class="rounded border border-slate-300 px-2 py-1.5 text-sm"
      >
        <option value="" selected={query.status === ''}>
          All but deleted
        </option>
        {(Object.keys(counts) as TenantStatus[]).map((s) => (
          <option value={s} selected={query.status === s}>
            {s} ({counts[s]})
          </option>
        ))}
      </select>
    </div>
    <Button kind="plain">Filter</Button>
  </form>
)

/** The fleet: filters, the table (the fragment searches swap) and the keyboard help. */
export const TenantsPage: FC<TenantTableProps & { counts: Record<TenantStatus, number> }> = (p) => (
  <>
    <div class="mb-4 flex items-center justify-between">
      <h1 class="m-0 text-2xl font-semibold">Tenants</h1>
      {roleCan(p.operator.role, 'saas.tenants.create') && (
        <ButtonLink href="/tenants/new" accesskey="n">
          New tenant
        </ButtonLink>
      )}
    </div>
    <TenantFilters query={p.query} counts={p.counts} />
    <TenantTable {...p} />
    <p class="mt-3 text-xs text-slate-500">
      Keys: <kbd>/</kbd> search · <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open
    </p>
  </>
)
