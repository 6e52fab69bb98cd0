import { Hono } from 'hono'
import { APPROVAL_KINDS, getApprovalPolicy, setApprovalPolicy } from '../../approvals/policy.js'
import { ApprovalSettingsPage } from '../../views/settings/approvals-page.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { requirePermission, requireRecentTotp } from '../../web/guards.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'

/** /settings/approvals (issue 14 item 6): owners choose which actions need dual control. */
export const approvalSettingsRoutes = new Hono<AppEnv>()

const edit = requirePermission('saas.settings.edit')

approvalSettingsRoutes.get('/', edit, async (c) => {
  const policy = await getApprovalPolicy(c.var.db)
  return c.render(<ApprovalSettingsPage policy={policy} />, { title: 'Dual control' })
})

// A checkbox sends `on` when checked and nothing when not: every kind is read, none is kept.
approvalSettingsRoutes.post('/', edit, requireRecentTotp, async (c) => {
  const fields = await formFields(c)
  const policy = Object.fromEntries(APPROVAL_KINDS.map((k) => [k, fields[k] === 'on']))
  const result = await setApprovalPolicy(
    c.var.db,
    auditContext(c),
    policy as Record<(typeof APPROVAL_KINDS)[number], boolean>,
    c.var.operator.id,
    c.var.now(),
  )
  await setFlash(c, {
    kind: result.changed ? 'success' : 'info',
    text: result.changed
      ? 'Dual control settings saved.'
      : 'Nothing changed: these were already the settings.',
  })
  return redirectTo(c, '/settings/approvals')
})
