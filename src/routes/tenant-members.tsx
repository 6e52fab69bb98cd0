import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { roleCan } from '../auth/permissions.js'
import { listTenantMembersPage } from '../db/memberships.js'
import { findTenantById } from '../db/tenants.js'
import { TenantMembers, tenantMembersUrl } from '../views/memberships/tenant-members.js'
import type { AppEnv } from '../web/env.js'
import { requirePermission } from '../web/guards.js'
import { wantsFragment } from '../web/render.js'
import type { Context } from 'hono'

// The tenant page's member list as a fragment (issue 7 item 4): its search and paging swap
// #tenant-members under htmx; without it the same address sends the browser to the tenant page,
// which renders the same list for the same query.

export const tenantMemberRoutes = new Hono<AppEnv>()

/** `members_q` and `members_after` of the tenant page's address, bounded. */
export function memberQuery(c: Context<AppEnv>) {
  return {
    q: (c.req.query('members_q') ?? '').trim().slice(0, 100),
    after: (c.req.query('members_after') ?? '').slice(0, 40),
  }
}

tenantMemberRoutes.get('/:id/members', requirePermission('saas.users.view'), async (c) => {
  const tenant = await findTenantById(c.var.db, c.req.param('id'))
  if (!tenant) throw new HTTPException(404, { message: 'No such tenant.' })
  const query = memberQuery(c)
  c.header('Vary', 'HX-Request, HX-History-Restore-Request')
  if (!wantsFragment(c)) return c.redirect(tenantMembersUrl(tenant.id, query.q, query.after), 303)
  const page = await listTenantMembersPage(c.var.db, tenant.id, query)
  return c.html(
    <TenantMembers
      {...page}
      {...query}
      tenantId={tenant.id}
      canEdit={roleCan(c.var.operator.role, 'saas.users.edit')}
      canImpersonate={roleCan(c.var.operator.role, 'saas.tenants.impersonate')}
    />,
  )
})
