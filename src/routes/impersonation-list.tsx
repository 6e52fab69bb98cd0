import { Hono } from 'hono'
import { z } from 'zod'
import { IMPERSONATION_STATUSES, listImpersonations } from '../db/impersonation-list.js'
import { ImpersonationsPage } from '../views/impersonations/impersonations-page.js'
import type { AppEnv } from '../web/env.js'
import { requirePermission } from '../web/guards.js'
import { isCalendarDay } from '../web/query.js'

// /impersonations: active and past impersonations for anyone who may read the audit trail.

const PER_PAGE = 50
const DAY_MS = 24 * 3600_000

const listQuery = z.object({
  operator: z.string().trim().max(320).catch(''),
  tenant: z.string().trim().toLowerCase().max(40).catch(''),
  from: z.string().trim().max(20).catch(''),
  to: z.string().trim().max(20).catch(''),
  status: z.enum(IMPERSONATION_STATUSES).or(z.literal('')).catch(''),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
})

/** A `YYYY-MM-DD` filter day as midnight UTC, a message when it is not one. */
function day(value: string): { at?: Date; error?: string } {
  if (!value) return {}
  if (!isCalendarDay(value)) return { error: `“${value}” is not a date; use YYYY-MM-DD.` }
  return { at: new Date(`${value}T00:00:00Z`) }
}

export const impersonationListRoutes = new Hono<AppEnv>()

impersonationListRoutes.get('/', requirePermission('saas.audit.view'), async (c) => {
  const query = listQuery.parse(c.req.query())
  const now = c.var.now()
  const from = day(query.from)
  const to = day(query.to)
  const { items, hasMore } = await listImpersonations(c.var.db, {
    operator: query.operator || undefined,
    tenantSlug: query.tenant || undefined,
    startedFrom: from.at,
    // The "until" day is inclusive.
    startedBefore: to.at && new Date(to.at.getTime() + DAY_MS),
    status: query.status || undefined,
    now,
    page: query.page,
    perPage: PER_PAGE,
  })
  const operator = c.var.operator
  return c.render(
    <ImpersonationsPage
      items={items}
      hasMore={hasMore}
      query={query}
      now={now}
      canEnd={(i) => operator.role === 'owner' || i.operatorId === operator.id}
      errors={{ from: from.error, to: to.error }}
    />,
    { title: 'Impersonations' },
  )
})
