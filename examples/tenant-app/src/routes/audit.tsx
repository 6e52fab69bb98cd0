import { Hono, type MiddlewareHandler } from 'hono'
import { boardOf, listAuditEntries } from '../board-db.js'
import type { BoardEnv } from '../env.js'
import { canManage, memberOf, renderPage } from '../page.js'
import { AuditPage } from '../views/audit-page.js'

// The workspace's own audit log, read straight from tenant_<slug>.audit_log: what its members
// did, what Fleetdeck did, and every step of a support session — which Fleetdeck writes here in
// the same transaction as its own log, so the console cannot hide it.

export function auditRoutes(member: MiddlewareHandler<BoardEnv>) {
  const audit = new Hono<BoardEnv>()

  audit.get('/t/:slug/audit', member, async (c) => {
    if (!canManage(memberOf(c)))
      return renderPage(
        c,
        'Not allowed',
        <p>Only owners and admins can read the audit log.</p>,
        403,
      )
    const entries = await listAuditEntries(boardOf(c.var.deps.db, c.var.fleetdeck.tenant.slug))
    return renderPage(c, 'Audit log', <AuditPage entries={entries} />)
  })

  return audit
}
