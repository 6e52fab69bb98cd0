import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { findOpenTenantMove } from '../../db/tenant-moves.js'
import { tenantSchemaName } from '../../db/tenant-schema.js'
import { findTenantById, type Tenant } from '../../db/tenants.js'
import { describeCitus, listCitusNodes, measureCitusSchemas } from '../../fleet/citus.js'
import { describeMoveRefusal, parseNode, startTenantMove } from '../../fleet/tenant-move.js'
import {
  TenantPlacementPage,
  type TenantPlacementPageProps,
} from '../../views/tenants/tenant-placement.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { requirePermission, requireRecentTotp } from '../../web/guards.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'

// /tenants/:id/placement (issue 13 item 5): the node a tenant's schema lives on, the nodes to
// rebalance by, and moving it (owner or admin, step-up; the move itself runs as a job whose page
// shows its progress). Mounted in src/app.tsx beside the tenant's other nested resources.

const moveForm = z.object({ node: z.string().trim().max(300) })

export const tenantPlacementRoutes = new Hono<AppEnv>()

async function tenantOr404(c: Context<AppEnv>): Promise<Tenant> {
  const tenant = await findTenantById(c.var.db, c.req.param('id') ?? '')
  if (!tenant) throw new HTTPException(404, { message: 'No such tenant.' })
  return tenant
}

/** The page from the handle's Citus facts and two reads of the cluster (none off Citus). */
async function renderPlacement(
  c: Context<AppEnv>,
  tenant: Tenant,
  extra: Pick<TenantPlacementPageProps, 'value' | 'error'> = {},
  status: 200 | 422 = 200,
) {
  const { db } = c.var
  const info = c.var.deps.database.citus
  const schema = tenantSchemaName(tenant.slug)
  const [placed, nodes, openMove] = info
    ? await Promise.all([
        measureCitusSchemas(db, [schema]),
        listCitusNodes(db),
        findOpenTenantMove(db, tenant.id),
      ])
    : [new Map(), [], undefined]
  const props: TenantPlacementPageProps = {
    ...{ tenant, citus: info ? describeCitus(info) : null, nodes, openMove },
    ...{ current: placed.get(schema)?.node ?? null, ...extra },
  }
  c.status(status)
  return c.render(<TenantPlacementPage {...props} />, { title: `Placement of ${tenant.slug}` })
}

tenantPlacementRoutes.get('/', requirePermission('saas.tenants.edit'), async (c) =>
  renderPlacement(c, await tenantOr404(c)),
)

tenantPlacementRoutes.post(
  '/',
  requirePermission('saas.tenants.edit'),
  requireRecentTotp,
  async (c) => {
    const tenant = await tenantOr404(c)
    const parsed = moveForm.safeParse(await formFields(c))
    if (!parsed.success) throw new HTTPException(400, { message: 'Malformed move request.' })
    const { node } = parsed.data
    if (!parseNode(node))
      return renderPlacement(c, tenant, { value: node, error: 'Choose a node.' }, 422)
    const result = await startTenantMove(c.var.db, auditContext(c), tenant.id, node, {
      now: c.var.now(),
    })
    if (!result.ok && (result.reason === 'unknown_node' || result.reason === 'same_node'))
      return renderPlacement(
        c,
        tenant,
        { value: node, error: describeMoveRefusal(result.reason) },
        422,
      )
    if (!result.ok) {
      const text = `${tenant.slug} was not moved: ${describeMoveRefusal(result.reason)}`
      await setFlash(c, { kind: 'error', text })
      return redirectTo(c, `/tenants/${tenant.id}/placement`)
    }
    const text = `Moving ${tenant.slug} to ${node}: this page follows the copy.`
    await setFlash(c, { kind: 'success', text })
    return redirectTo(c, `/jobs/${result.run.id}`)
  },
)
