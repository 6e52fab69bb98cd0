import type { FC } from 'hono/jsx'
import { useRequestContext } from 'hono/jsx-renderer'
import { roleCan } from '../../auth/permissions.js'
import type { AuditListEntry, listAuditFacets } from '../../db/audit-log.js'
import type { AppEnv } from '../../web/env.js'
import { AuditTable } from './audit-table.js'

/** The filters as the page read them from the query string (all optional). */
export type AuditQuery = {
  action?: string
  tenant?: string
  actor?: string
  from?: string
  to?: string
  /** A bulk batch's id: only the entries of that batch (issue 9 item 7). */
  batch?: string
  before?: number
}

export type AuditPageProps = {
  entries: AuditListEntry[]
  query: AuditQuery
  olderThan?: number
  facets: Awaited<ReturnType<typeof listAuditFacets>>
  /** The tenant column and filter; off when the scope narrows the log to one customer. */
  showTenant: boolean
  /** What the filters could not use as typed (an unknown slug, a range that ends first). */
  notices: string[]
  /** The batch id the entries are narrowed to, shown as a chip that removes it. */
  batchChip?: string
  /** Why the last export was refused (POST /audit/export answered 422), beside the export form. */
  exportErrors?: string[]
  /** The format and BOM choice to keep after a refused export. */
  exportChoice?: { format: 'csv' | 'jsonl'; bom: boolean }
}

/** "Batch 1a2b… ×": the batch filter, with a link to the same filters without it. */
const BatchChip: FC<{ query: AuditQuery; batchId: string }> = (p) => {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(p.query))
    if (v && k !== 'batch' && k !== 'before') params.set(k, String(v))
  const without = params.size > 0 ? `/audit?${params}` : '/audit'
  return (
    <span class="inline-flex items-center gap-2 self-center rounded-full bg-violet-100 px-3 py-1 text-xs text-violet-900">
      <a href={`/batches/${p.batchId}`} class="text-violet-900 underline">
        Batch <span class="font-mono">{p.batchId.slice(0, 8)}</span>
      </a>
      <a href={without} class="text-violet-900 no-underline" aria-label="Remove the batch filter">
        ×
      </a>
    </span>
  )
}

/** The log, newest first, with its filters; the results are the fragment filters swap. */
export const AuditPage: FC<AuditPageProps> = (p) => {
  const query = p.query
  return (
    <>
      <h1 class="m-0 mb-1 text-2xl font-semibold">Audit log</h1>
      <p class="m-0 mb-4 text-sm text-slate-600">
        Every privileged action, newest first. Append-only and hash-chained: the database refuses
        edits, and <code>npm run audit:verify</code> reports any broken link.{' '}
        <a href="/audit/verify" class="text-violet-700 underline">
          Verify the chain and its checkpoints
        </a>
      </p>
      <form
        method="get"
        action="/audit"
        hx-get="/audit"
        hx-target="#audit-results"
        hx-push-url="true"
        hx-trigger="change, submit"
        class="mb-4 flex flex-wrap items-end gap-3"
      >
        <FilterSelect
          id="audit-action"
          name="action"
          label="Action"
          value={query.action}
          options={p.facets.actions.map((a) => [a, a])}
        />
        {p.showTenant && (
          <div>
            <label for="audit-tenant" class="block text-xs font-medium text-slate-600 mb-1">
              Tenant (slug)
            </label>
            <input
              id="audit-tenant"
              name="tenant"
              value={query.tenant}
              data-search
              class="w-44 rounded border border-slate-300 px-2 py-1.5 text-sm"
            />
          </div>
        )}
        <FilterSelect
          id="audit-actor"
          name="actor"
          label="Actor"
          value={query.actor}
          options={p.facets.actors.map((a) => [a.actor_id!, a.actor_email ?? a.actor_id!])}
        />
        <div>
          <label for="audit-from" class="block text-xs font-medium text-slate-600 mb-1">
            From
          </label>
          <input
            id="audit-from"
            type="date"
            name="from"
            value={query.from}
            class="rounded border border-slate-300 px-2 py-1 text-sm"
          />
        </div>
        <div>
          <label for="audit-to" class="block text-xs font-medium text-slate-600 mb-1">
            To
          </label>
          <input
            id="audit-to"
            type="date"
            name="to"
            value={query.to}
            class="rounded border border-slate-300 px-2 py-1 text-sm"
          />
        </div>
        {p.batchChip && (
          <>
            <input type="hidden" name="batch" value={p.batchChip} />
            <BatchChip query={query} batchId={p.batchChip} />
          </>
        )}
        <button
          type="submit"
          class="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm cursor-pointer"
        >
          Filter
        </button>
        <a href="/audit" class="text-sm text-violet-700 underline">
          Clear
        </a>
      </form>
      <ExportPanel errors={p.exportErrors} choice={p.exportChoice} />
      <AuditResults
        entries={p.entries}
        query={query}
        olderThan={p.olderThan}
        showTenant={p.showTenant}
        notices={p.notices}
      />
    </>
  )
}

/**
 * "Export": a format, the BOM choice and a button (issue 14 item 4); the filters it exports are
 * ExportFilterFields, inside the results the filters swap. A plain form, not htmx: the answer is
 * a download, not a fragment. Like the layout, it reads the signed-in operator to show itself
 * only to those holding saas.audit.export (the /audit route passes no operator).
 */
const ExportPanel: FC<{
  errors?: string[]
  choice?: { format: 'csv' | 'jsonl'; bom: boolean }
}> = (p) => {
  const operator = useRequestContext<AppEnv>().var.operator
  if (!operator || !roleCan(operator.role, 'saas.audit.export')) return null
  const errors = p.errors ?? []
  return (
    <form
      method="post"
      action="/audit/export"
      id="audit-export"
      aria-labelledby="audit-export-title"
      aria-describedby={errors.length > 0 ? 'audit-export-errors' : undefined}
      class="mb-4 flex flex-wrap items-end gap-3 rounded border border-slate-200 bg-slate-50 px-3 py-2"
    >
      <h2 id="audit-export-title" class="m-0 self-center text-sm font-semibold">
        Export these entries
      </h2>
      <div>
        <label for="audit-export-format" class="block text-xs font-medium text-slate-600 mb-1">
          Format
        </label>
        <select
          id="audit-export-format"
          name="format"
          class="rounded border border-slate-300 px-2 py-1.5 text-sm"
        >
          <option value="csv" selected={p.choice?.format !== 'jsonl'}>
            CSV
          </option>
          <option value="jsonl" selected={p.choice?.format === 'jsonl'}>
            JSON Lines
          </option>
        </select>
      </div>
      <div class="flex items-center gap-2 self-center">
        <input
          id="audit-export-bom"
          type="checkbox"
          name="bom"
          value="on"
          checked={p.choice?.bom}
        />
        <label for="audit-export-bom" class="text-sm">
          UTF-8 BOM (for Excel)
        </label>
      </div>
      <button
        type="submit"
        class="rounded border border-violet-700 bg-violet-700 px-3 py-1.5 text-sm text-white cursor-pointer"
      >
        Export
      </button>
      {errors.length > 0 && (
        <p
          id="audit-export-errors"
          role="alert"
          tabindex={-1}
          data-error-summary
          class="m-0 w-full text-sm text-red-800"
        >
          Nothing was exported: {errors.join(' ')}
        </p>
      )}
    </form>
  )
}

const FilterSelect: FC<{
  id: string
  name: string
  label: string
  value?: string
  options: [string, string][]
}> = (p) => (
  <div>
    <label for={p.id} class="block text-xs font-medium text-slate-600 mb-1">
      {p.label}
    </label>
    <select id={p.id} name={p.name} class="rounded border border-slate-300 px-2 py-1.5 text-sm">
      <option value="">All</option>
      {p.options.map(([value, text]) => (
        <option value={value} selected={value === p.value}>
          {text}
        </option>
      ))}
    </select>
  </div>
)

/**
 * The filters of the entries shown, as hidden fields of the export form (`form="audit-export"`):
 * they sit in the results fragment, so each filter swap brings the export the new filters without
 * script. Where the operator may not export there is no such form and they submit nowhere.
 */
const ExportFilterFields: FC<{ query: AuditQuery }> = (p) => (
  <>
    {(['action', 'tenant', 'actor', 'batch', 'from', 'to'] as const).map(
      (name) =>
        p.query[name] && (
          <input type="hidden" name={name} value={p.query[name]} form="audit-export" />
        ),
    )}
  </>
)

function olderUrl(query: AuditQuery, before: number): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v && k !== 'before') params.set(k, String(v))
  params.set('before', String(before))
  return `/audit?${params}`
}

export const AuditResults: FC<{
  entries: AuditListEntry[]
  query: AuditQuery
  olderThan?: number
  showTenant: boolean
  notices: string[]
}> = (p) => (
  <div id="audit-results">
    <ExportFilterFields query={p.query} />
    {p.notices.length > 0 && (
      <div
        role="alert"
        tabindex={-1}
        data-error-summary
        class="mb-3 rounded border border-red-300 bg-red-50 px-4 py-2 text-sm text-red-900"
      >
        {p.notices.join(' ')}
      </div>
    )}
    <AuditTable entries={p.entries} showTenant={p.showTenant} />
    <nav aria-label="Pages" class="mt-3 flex gap-4 text-sm">
      {p.query.before && (
        <a href={olderUrl(p.query, 0).replace(/&?before=0/, '')} class="text-violet-700 underline">
          Newest
        </a>
      )}
      {p.olderThan && (
        <a rel="next" href={olderUrl(p.query, p.olderThan)} class="text-violet-700 underline">
          Older entries
        </a>
      )}
    </nav>
  </div>
)
