import { Hono } from 'hono'
import { z } from 'zod'
import { listAuditEntries, listAuditFacets } from '../db/audit-log.js'
import { findTenantBySlug, isUuid } from '../db/tenants.js'
import { AuditPage, AuditResults } from '../views/audit/audit-page.js'
import type { AppEnv } from '../web/env.js'
import { requirePermission } from '../web/guards.js'
import { calendarDay, parseQuery } from '../web/query.js'
import { pageOrFragment } from '../web/render.js'

const PER_PAGE = 50
/** Matches no tenant: the filter named one that does not exist, so no entry may show. */
const NO_TENANT = '00000000-0000-0000-0000-000000000000'

const auditQuery = z.object({
  action: z.string().trim().max(100).optional().catch(undefined),
  tenant: z.string().trim().max(100).optional().catch(undefined),
  actor: z.string().trim().max(100).optional().catch(undefined),
  batch: z.string().trim().max(100).optional().catch(undefined),
  from: calendarDay,
  to: calendarDay,
  before: z.coerce.number().int().positive().optional().catch(undefined),
})

export const auditRoutes = new Hono<AppEnv>()

auditRoutes.get('/', requirePermission('saas.audit.view'), async (c) => {
  const query = parseQuery(c, auditQuery)
  const db = c.var.db
  // Every filter either applies as typed or says why not: an empty list must mean "none".
  const notices: string[] = []
  // The tenant filter takes an id (links from a tenant page) or a slug (typed by a person).
  const tenantId = !query.tenant
    ? undefined
    : isUuid(query.tenant)
      ? query.tenant
      : ((await findTenantBySlug(db, query.tenant))?.id ?? NO_TENANT)
  if (tenantId === NO_TENANT) notices.push(`No tenant has the slug “${query.tenant}”.`)
  const actorId = query.actor && isUuid(query.actor) ? query.actor : undefined
  if (query.actor && !actorId)
    notices.push(`“${query.actor}” is not an operator id: the actor filter was not applied.`)
  const batchId = query.batch && isUuid(query.batch) ? query.batch.toLowerCase() : undefined
  if (query.batch && !batchId)
    notices.push(`“${query.batch}” is not a batch id: the batch filter was not applied.`)
  const backwards = query.from && query.to && query.to < query.from
  if (backwards) notices.push('The date range ends before it starts: it was not applied.')
  const [entries, facets] = await Promise.all([
    listAuditEntries(db, c.var.scope.filter, {
      action: query.action || undefined,
      tenantId,
      actorId,
      batchId,
      from: query.from && !backwards ? new Date(`${query.from}T00:00:00Z`) : undefined,
      to:
        query.to && !backwards
          ? new Date(new Date(`${query.to}T00:00:00Z`).getTime() + 86_400_000)
          : undefined,
      beforeSeq: query.before,
      limit: PER_PAGE + 1,
    }),
    listAuditFacets(db),
  ])
  const page = entries.slice(0, PER_PAGE)
  const older = entries.length > PER_PAGE ? page[page.length - 1].seq : undefined
  // Narrowed to one customer, every row is that customer's: no tenant column, no tenant filter.
  const showTenant = c.var.scope.mode === 'all'
  const props = {
    entries: page,
    query,
    olderThan: older,
    facets,
    showTenant,
    notices,
    batchChip: batchId,
  }
  return pageOrFragment(
    c,
    () => <AuditResults {...props} />,
    () => <AuditPage {...props} />,
    { title: 'Audit log' },
  )
})
