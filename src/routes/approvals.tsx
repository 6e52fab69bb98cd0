import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import {
  findApproval,
  listPastApprovals,
  listPendingApprovals,
} from '../approvals/approval-rows.js'
import { cancelApproval, decideApproval, type DecideResult } from '../approvals/requests.js'
import { ApprovalPage, ApprovalsPage } from '../views/approvals/approvals-page.js'
import type { AppEnv } from '../web/env.js'
import { setFlash, type Flash } from '../web/flash.js'
import { requirePermission, requireRecentTotp } from '../web/guards.js'
import { auditContext, formFields, redirectTo } from '../web/request.js'
import { clearSessionCookie } from '../web/session-cookie.js'

// /approvals (issue 14 item 6, dual control): owners and admins (holders of saas.tenants.delete)
// see every request and decide others' ones; the requester cancels their own. Approving runs a
// destructive action, so it needs step-up like the action itself.

const deciders = requirePermission('saas.tenants.delete')

export const approvalRoutes = new Hono<AppEnv>()

approvalRoutes.get('/', deciders, async (c) => {
  const [pending, past] = await Promise.all([
    listPendingApprovals(c.var.db),
    listPastApprovals(c.var.db),
  ])
  const page = (
    <ApprovalsPage viewer={c.var.operator} pending={pending} past={past} now={c.var.now()} />
  )
  return c.render(page, { title: 'Approvals' })
})

async function approvalOr404(c: Context<AppEnv>) {
  const request = await findApproval(c.var.db, c.req.param('id') ?? '')
  if (!request) throw new HTTPException(404, { message: 'No such approval request.' })
  return request
}

approvalRoutes.get('/:id', deciders, async (c) => {
  const request = await approvalOr404(c)
  const page = <ApprovalPage request={request} viewer={c.var.operator} now={c.var.now()} />
  return c.render(page, { title: 'Approval request' })
})

const REFUSED: Record<Exclude<DecideResult, { ok: true }>['reason'], string> = {
  not_found: 'No such approval request.',
  not_pending: 'This request is no longer pending: nothing was run.',
  self_approval: 'You asked for this yourself: a second owner or admin must decide it.',
  forbidden: 'Only an owner or admin may decide a request.',
  expired: 'This request expired after 24 hours unanswered: nothing was run.',
  stale:
    'The target changed since the request was made: nothing was run, and the request is marked failed. Ask again if it is still needed.',
  requester_cannot:
    'The requester is no longer active or no longer allowed to do this: nothing was run, and the request is marked failed.',
  failed: 'The action refused to run',
}

/** What a decision's flash says. */
function decisionFlash(result: DecideResult, decision: 'approve' | 'reject'): Flash {
  if (result.ok)
    return decision === 'approve'
      ? { kind: 'success', text: `Approved and run: ${result.request.summary}.` }
      : { kind: 'success', text: `Rejected: ${result.request.summary}. Nothing was run.` }
  if (result.reason === 'failed')
    return {
      kind: 'error',
      text: `${REFUSED.failed} (${result.detail.replaceAll('_', ' ')}); the request is marked failed.`,
    }
  return { kind: 'error', text: REFUSED[result.reason] }
}

async function decide(c: Context<AppEnv>, decision: 'approve' | 'reject') {
  const request = await approvalOr404(c)
  const { note = '' } = await formFields(c)
  const result = await decideApproval(
    { database: c.var.deps.database, config: c.var.deps.config },
    auditContext(c),
    { id: request.id, approver: c.var.operator, decision, note },
    c.var.now(),
  )
  // The super-admin secret's rotation signed everyone out, the approver included.
  const change = request.change as { secret?: string }
  if (result.ok && decision === 'approve' && change.secret === 'super_admin_secret') {
    clearSessionCookie(c)
    await setFlash(c, {
      kind: 'info',
      text: 'Approved and run: the super-admin secret is rotated and every session ended, yours included. Sign in again.',
    })
    return redirectTo(c, '/login')
  }
  await setFlash(c, decisionFlash(result, decision))
  return redirectTo(c, `/approvals/${request.id}`)
}

approvalRoutes.post('/:id/approval', deciders, requireRecentTotp, (c) => decide(c, 'approve'))
approvalRoutes.post('/:id/rejection', deciders, (c) => decide(c, 'reject'))

approvalRoutes.post('/:id/cancellation', deciders, async (c) => {
  const request = await approvalOr404(c)
  const by = c.var.operator
  const result = await cancelApproval(
    c.var.db,
    auditContext(c),
    { id: request.id, by },
    c.var.now(),
  )
  if (!result.ok && result.reason === 'not_requester')
    throw new HTTPException(403, { message: 'Only the requester may cancel a request.' })
  await setFlash(
    c,
    result.ok
      ? { kind: 'success', text: `Cancelled: ${request.summary}. Nothing was run.` }
      : { kind: 'error', text: 'This request is no longer pending: nothing was cancelled.' },
  )
  return redirectTo(c, `/approvals/${request.id}`)
})
