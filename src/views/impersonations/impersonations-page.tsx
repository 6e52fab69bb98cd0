import type { FC } from 'hono/jsx'
import type { ImpersonationListItem } from '../../db/impersonation-list.js'
import { FilterField, FilterSelect } from '../components/filter-field.js'
import { formatDateTime } from '../format.js'

// /impersonations (issue 8 item 2): who viewed which tenant as whom, why, for how long.

export type ImpersonationQuery = {
  operator: string
  tenant: string
  from: string
  to: string
  status: string
  page: number
}

export type ImpersonationsPageProps = {
  items: ImpersonationListItem[]
  hasMore: boolean
  query: ImpersonationQuery
  now: Date
  /** May this operator end `item` (owners any, others their own)? */
  canEnd: (item: ImpersonationListItem) => boolean
  errors: Partial<Record<'from' | 'to', string>>
}

export function statusOf(item: ImpersonationListItem, now: Date): string {
  if (item.endedAt) return item.endReason === 'expired' ? 'expired' : `ended (${item.endReason})`
  return item.expiresAt <= now ? 'expired' : 'active'
}

function pageUrl(q: ImpersonationQuery, page: number): string {
  const params = new URLSearchParams()
  for (const k of ['operator', 'tenant', 'from', 'to', 'status'] as const)
    if (q[k]) params.set(k, q[k])
  if (page > 1) params.set('page', String(page))
  const s = params.toString()
  return `/impersonations${s ? `?${s}` : ''}`
}

export const ImpersonationsPage: FC<ImpersonationsPageProps> = (p) => (
  <>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Impersonations</h1>
    <form method="get" action="/impersonations" class="mb-4 flex flex-wrap items-end gap-3">
      <TextFilter name="operator" label="Operator email" value={p.query.operator} />
      <TextFilter name="tenant" label="Tenant slug" value={p.query.tenant} />
      <TextFilter
        name="from"
        label="Started from"
        type="date"
        value={p.query.from}
        error={p.errors.from}
      />
      <TextFilter
        name="to"
        label="Started until"
        type="date"
        value={p.query.to}
        error={p.errors.to}
      />
      <FilterSelect
        id="filter-status"
        name="status"
        label="Status"
        value={p.query.status}
        options={[
          { value: '', label: 'Any' },
          { value: 'active', label: 'Active' },
          { value: 'ended', label: 'Ended or expired' },
        ]}
      />
      <button
        type="submit"
        class="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm cursor-pointer"
      >
        Filter
      </button>
    </form>
    {p.items.length === 0 ? (
      <p class="text-sm text-slate-600">No impersonations match.</p>
    ) : (
      <div class="overflow-x-auto rounded border border-slate-200 bg-white">
        <table class="w-full text-sm">
          <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
            <tr>
              {['Started', 'Operator', 'Tenant', 'User', 'Mode', 'Reason', 'Status'].map((h) => (
                <th scope="col" class="px-3 py-2">
                  {h}
                </th>
              ))}
              <th scope="col" class="px-3 py-2">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {p.items.map((i) => (
              <ImpersonationRow item={i} now={p.now} canEnd={p.canEnd(i)} />
            ))}
          </tbody>
        </table>
      </div>
    )}
    <p class="mt-3 flex gap-4 text-sm">
      {p.query.page > 1 && (
        <a href={pageUrl(p.query, p.query.page - 1)} rel="prev" class="text-violet-700 underline">
          Newer
        </a>
      )}
      {p.hasMore && (
        <a href={pageUrl(p.query, p.query.page + 1)} rel="next" class="text-violet-700 underline">
          Older
        </a>
      )}
    </p>
  </>
)

const ImpersonationRow: FC<{ item: ImpersonationListItem; now: Date; canEnd: boolean }> = ({
  item: i,
  now,
  canEnd,
}) => {
  const status = statusOf(i, now)
  return (
    <tr id={`impersonation-${i.id}`} class="border-t border-slate-100 align-top">
      <td class="px-3 py-2 whitespace-nowrap text-xs">{formatDateTime(i.startedAt)}</td>
      <td class="px-3 py-2">{i.operatorEmail}</td>
      <td class="px-3 py-2">
        <a href={`/tenants/${i.tenantId}`} class="font-mono text-violet-800 underline">
          {i.tenantSlug}
        </a>
      </td>
      <td class="px-3 py-2">
        <a href={`/users/${i.userId}`} class="text-violet-800 underline">
          {i.userEmail}
        </a>
      </td>
      <td class="px-3 py-2">{i.mode === 'read_write' ? 'read-write' : 'read-only'}</td>
      <td class="px-3 py-2">
        {i.reason}
        {i.ticket && <span class="block text-xs text-slate-600">{i.ticket}</span>}
      </td>
      <td class="px-3 py-2 whitespace-nowrap">{status}</td>
      <td class="px-3 py-2 text-right">
        {status === 'active' && canEnd && (
          <form method="post" action={`/impersonations/${i.id}/end`} class="m-0">
            <button
              type="submit"
              aria-label={`End ${i.operatorEmail}’s impersonation of ${i.userEmail}`}
              class="rounded border border-red-300 bg-white px-2 py-1 text-xs text-red-800 hover:bg-red-50 cursor-pointer"
            >
              End
            </button>
          </form>
        )}
      </td>
    </tr>
  )
}

const TextFilter: FC<{
  name: string
  label: string
  value: string
  type?: string
  error?: string
}> = (p) => (
  <FilterField id={`filter-${p.name}`} label={p.label} error={p.error}>
    <input
      id={`filter-${p.name}`}
      name={p.name}
      type={p.type ?? 'text'}
      value={p.value}
      aria-invalid={p.error ? 'true' : undefined}
      aria-describedby={p.error ? `filter-${p.name}-error` : undefined}
      class="rounded border border-slate-300 px-2 py-1.5 text-sm"
    />
  </FilterField>
)
