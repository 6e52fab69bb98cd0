import { Hono } from 'hono'
import { z } from 'zod'
import { listAuditEntries, listAuditFacets } from '../db/audit-log.js'
import { findTenantBySlug, isUuid } from '../db/tenants.js'
import { AuditTable } from '../views/audit-entries.js'
import { Layout } from '../views/layout.js'
import type { AppEnv } from '../web/env.js'
import { requirePermission } from '../web/guards.js'
import { calendarDay, parseQuery } from '../web/query.js'
import { pageOrFragment } from '../web/render.js'

const PER_PAGE = 50

const auditQuery = z.object({
  action: z.string().trim().max(100).optional().catch(undefined),
  tenant: z.string().trim().max(100).optional().catch(undefined),
  actor: z.string().trim().max(100).optional().catch(undefined),
  from: calendarDay,
  to: calendarDay,
  before: z.coerce.number().int().positive().optional().catch(undefined),
})

type AuditQuery = z.infer<typeof auditQuery>

export const auditRoutes = new Hono<AppEnv>()

auditRoutes.get('/', requirePermission('saas.audit.view'), async (c) => {
  const query = parseQuery(c, auditQuery)
  const db = c.var.db
  // The tenant filter takes an id (links from a tenant page) or a slug (typed by a person).
  const tenantId = !query.tenant
    ? undefined
    : isUuid(query.tenant)
      ? query.tenant
      : ((await findTenantBySlug(db, query.tenant))?.id ?? '00000000-0000-0000-0000-000000000000')
  const [entries, facets] = await Promise.all([
    listAuditEntries(db, {
      action: query.action || undefined,
      tenantId,
      actorId: query.actor && isUuid(query.actor) ? query.actor : undefined,
      from: query.from ? new Date(`${query.from}T00:00:00Z`) : undefined,
      to: query.to ? new Date(new Date(`${query.to}T00:00:00Z`).getTime() + 86_400_000) : undefined,
      beforeSeq: query.before,
      limit: PER_PAGE + 1,
    }),
    listAuditFacets(db),
  ])
  const page = entries.slice(0, PER_PAGE)
  const older = entries.length > PER_PAGE ? page[page.length - 1].seq : undefined
  const results = () => <AuditResults entries={page} query={query} olderThan={older} />
  return pageOrFragment(c, results, () => (
    <Layout title="Audit log" admin={c.var.admin} active="/audit">
      <h1 class="m-0 mb-1 text-2xl font-semibold">Audit log</h1>
      <p class="m-0 mb-4 text-sm text-slate-600">
        Every privileged action, newest first. Append-only and hash-chained: the database refuses
        edits, and <code>npm run audit:verify</code> reports any broken link.
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
          options={facets.actions.map((a) => [a, a])}
        />
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
        <FilterSelect
          id="audit-actor"
          name="actor"
          label="Actor"
          value={query.actor}
          options={facets.actors.map((a) => [a.actor_id!, a.actor_email ?? a.actor_id!])}
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
      {results()}
    </Layout>
  ))
})

const FilterSelect = (p: {
  id: string
  name: string
  label: string
  value?: string
  options: [string, string][]
}) => (
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

function olderUrl(query: AuditQuery, before: number): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v && k !== 'before') params.set(k, String(v))
  params.set('before', String(before))
  return `/audit?${params}`
}

const AuditResults = (p: {
  entries: Awaited<ReturnType<typeof listAuditEntries>>
  query: AuditQuery
  olderThan?: number
}) => (
  <div id="audit-results">
    <AuditTable entries={p.entries} />
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
