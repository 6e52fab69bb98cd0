import { createRoute, z } from '@hono/zod-openapi'
import { roleCan } from '../../auth/permissions.js'
import { readBillingToday } from '../../db/billing-today.js'
import { ACTIVE_WITHIN_DAYS, readKpis } from '../../db/kpis.js'
import { findTenantById } from '../../db/tenants.js'
import { ALL_TENANTS } from '../../db/tenant-scope.js'
import { requireApiPermission } from './auth.js'
import { BEARER, apiRouter } from './openapi.js'
import { ApiRefusal, problemResponse, problemResponses } from './problems.js'

// /api/v1/stats (issue 14 item 1; seed 003): the dashboard's live KPIs as JSON, read by the same
// statements as the dashboard (src/db/kpis.ts, src/db/billing-today.ts), for the fleet or one
// tenant. Money in cents per currency; the billing part only for a token that carries
// saas.billing.view (and whose owner still has it), as the dashboard shows it only to them.

const TENANT_STATUSES = ['provisioning', 'active', 'suspended', 'failed', 'deleted'] as const

const StatsSchema = z
  .object({
    generatedAt: z.iso.datetime(),
    tenantId: z
      .uuid()
      .nullable()
      .openapi({ description: 'The scoped tenant; null for the fleet.' }),
    tenantStatus: z.enum(TENANT_STATUSES).nullable(),
    tenants: z.object({
      active: z.number().int(),
      suspended: z.number().int(),
    }),
    users: z.object({
      total: z
        .number()
        .int()
        .openapi({ description: 'Fleet: every user; with a tenant: its memberships.' }),
      totalExact: z.boolean(),
      active: z
        .number()
        .int()
        .openapi({ description: `Signed in within ${ACTIVE_WITHIN_DAYS} days.` }),
      activeExact: z.boolean(),
      signupsToday: z.number().int().openapi({ description: 'Since 00:00 UTC.' }),
    }),
    pendingJoinRequests: z.number().int(),
    activeImpersonations: z.number().int(),
    storage: z.object({
      bytes: z.number(),
      takenAt: z.iso.datetime().nullable(),
    }),
    billing: z
      .object({
        hasData: z.boolean(),
        currencies: z.array(
          z.object({
            currency: z.string(),
            mrrCents: z.number().int(),
            paidTodayCents: z.number().int(),
            churnedToday: z.number().int(),
            churnedTodayCents: z.number().int(),
          }),
        ),
      })
      .nullable()
      .openapi({ description: 'Null unless the token carries saas.billing.view.' }),
  })
  .openapi('Stats')

const statsQuery = z.object({
  tenantId: z
    .uuid()
    .optional()
    .openapi({ description: "One tenant's numbers instead of the fleet's." }),
})

export const statsApiRoutes = apiRouter()

statsApiRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/',
    operationId: 'getStats',
    summary: "The dashboard's numbers, for the fleet or one tenant",
    tags: ['stats'],
    security: BEARER,
    middleware: [requireApiPermission('saas.dashboard.view')] as const,
    request: { query: statsQuery },
    responses: {
      200: { description: 'The KPIs', content: { 'application/json': { schema: StatsSchema } } },
      ...problemResponses,
      404: problemResponse('No such tenant'),
      422: problemResponse('Invalid tenantId'),
    },
  }),
  async (c) => {
    const { tenantId } = c.req.valid('query')
    const now = c.var.now()
    if (tenantId && !(await findTenantById(c.var.db, tenantId))) {
      throw new ApiRefusal(404, 'not_found', 'No such tenant.')
    }
    const scope = tenantId ? { tenantId } : ALL_TENANTS
    const billingToo =
      c.var.apiToken.permissions.includes('saas.billing.view') &&
      roleCan(c.var.operator.role, 'saas.billing.view')
    const [kpis, billing] = await Promise.all([
      readKpis(c.var.db, scope, now),
      billingToo ? readBillingToday(c.var.db, scope, dayStart(now)) : null,
    ])
    return c.json(
      {
        generatedAt: now.toISOString(),
        tenantId: tenantId ?? null,
        tenantStatus: kpis.tenantStatus ?? null,
        tenants: { active: kpis.activeTenants, suspended: kpis.suspendedTenants },
        users: {
          total: kpis.users,
          totalExact: kpis.usersExact,
          active: kpis.activeUsers,
          activeExact: kpis.activeUsersExact,
          signupsToday: kpis.signupsToday,
        },
        pendingJoinRequests: kpis.pendingJoinRequests,
        activeImpersonations: kpis.activeImpersonations,
        storage: { bytes: kpis.storageBytes, takenAt: kpis.storageTakenAt?.toISOString() ?? null },
        billing: billing && {
          hasData: billing.hasData,
          currencies: billing.currencies.map((b) => ({
            currency: b.currency,
            mrrCents: Number(b.mrrCents),
            paidTodayCents: Number(b.paidTodayCents),
            churnedToday: Number(b.churnedToday),
            churnedTodayCents: Number(b.churnedTodayCents),
          })),
        },
      },
      200,
    )
  },
)

/** 00:00 UTC of `now`'s day: "today" of the revenue numbers, as on the dashboard. */
function dayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))
}
