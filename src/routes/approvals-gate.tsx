import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { roleCan } from '../auth/permissions.js'
import { canonicalJson } from '../approvals/executors.js'
import { listMatchingTenantIds } from '../db/bulk-batches.js'
import { listPlansCached } from '../db/plans.js'
import {
  describeFilter,
  filterQuery,
  toTenantFilter,
  type FilterQuery,
} from '../tenancy/bulk-filter.js'
import { approvalRequired } from '../approvals/policy.js'
import { requestApproval, type ApprovalInput } from '../approvals/requests.js'
import type { ApprovalKind } from '../db/schema.js'
import type { ApprovalFieldProps } from '../views/approvals/reason-field.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { auditContext, formFields, redirectTo } from '../web/request.js'

// The console's side of dual control (issue 14 item 6): the four action routes ask here whether
// their kind needs approval and, when it does, record a request instead of acting.

export const SENT_FOR_APPROVAL =
  'Sent for approval: a second owner or admin must approve within 24 hours.'

/** The reason field's props while `kind` needs approval; undefined when it runs at once. */
export async function approvalFieldFor(
  c: Context<AppEnv>,
  kind: ApprovalKind,
): Promise<ApprovalFieldProps | undefined> {
  return (await approvalRequired(c.var.db, kind, c.var.now().getTime())) ? {} : undefined
}

/** Who may open /approvals (the matrix's section): holders of saas.tenants.delete. */
export function mayViewApprovals(c: Context<AppEnv>): boolean {
  return roleCan(c.var.operator.role, 'saas.tenants.delete')
}

/**
 * When `input.kind` needs approval: records the request with the form's `approvalReason` and
 * answers (flash + redirect to the request, or to `back` for a role that cannot open
 * /approvals); a missing or over-long reason goes to `refused` to re-render the form (422).
 * @returns undefined when the kind needs no approval: the caller acts as before
 */
export async function requestInsteadOfActing(
  c: Context<AppEnv>,
  input: Omit<ApprovalInput, 'reason'>,
  back: string,
  refused: (field: Required<ApprovalFieldProps>) => Response | Promise<Response>,
): Promise<Response | undefined> {
  if (!(await approvalRequired(c.var.db, input.kind, c.var.now().getTime()))) return undefined
  const reason = (await formFields(c)).approvalReason ?? ''
  const result = await requestApproval(
    c.var.db,
    auditContext(c),
    { ...input, reason } as ApprovalInput,
    c.var.now(),
  )
  const target = (id: string) => (mayViewApprovals(c) ? `/approvals/${id}` : back)
  if (result.ok) {
    await setFlash(c, { kind: 'success', text: SENT_FOR_APPROVAL })
    return redirectTo(c, target(result.request.id))
  }
  if (result.reason === 'already_pending') {
    await setFlash(c, {
      kind: 'error',
      text: 'Nothing was sent: the same request is already waiting for approval.',
    })
    return redirectTo(c, target(result.existingId))
  }
  if (result.reason === 'target_not_found')
    throw new HTTPException(409, { message: 'The target of this request no longer exists.' })
  c.set('flash', { kind: 'error', text: 'Nothing was sent for approval: give a reason.' })
  const reasonError =
    result.reason === 'reason_required'
      ? 'Say why: the approver reads this.'
      : 'Keep the reason to 500 characters.'
  return refused({ reason, reasonError })
}

/** The request a console tenant delete becomes. */
export function tenantDeleteApproval(tenant: { id: string; slug: string }) {
  return {
    kind: 'tenant.delete' as const,
    summary: `Delete tenant ${tenant.slug}`,
    targetType: 'tenant',
    targetId: tenant.id,
    tenantId: tenant.id,
    change: { tenantId: tenant.id },
  }
}

/** The request a console TOTP reset becomes. */
export function totpResetApproval(target: { id: string; email: string }) {
  return {
    kind: 'operator.totp_reset' as const,
    summary: `Reset the TOTP of ${target.email}`,
    targetType: 'super_admin',
    targetId: target.id,
    change: { superAdminId: target.id },
  }
}

/** The request a console signing-key rotation becomes: it replaces the key the page showed. */
export function signingKeyApproval(kid: string | null) {
  return {
    kind: 'secrets.rotate' as const,
    summary: 'Rotate the tenant signing key',
    targetType: 'signing_key',
    targetId: 'signing_key',
    change: { secret: 'signing_key' as const, kid },
  }
}

/** The request a console super-admin secret rotation becomes. */
export const SECRET_APPROVAL = {
  kind: 'secrets.rotate' as const,
  summary: 'Rotate the super-admin secret (signs every operator out)',
  targetType: 'cluster',
  targetId: 'super_admin_secret',
  change: { secret: 'super_admin_secret' as const },
}

/**
 * The request a console bulk suspend becomes: the filter and scope it was previewed with, and
 * how many tenants match now (`count`; the caller refuses a drift beyond what was accepted, as
 * applyBatch would). The approver approves exactly that set (the executor's guard).
 */
export async function bulkSuspendApproval(c: Context<AppEnv>, form: FilterQuery) {
  const db = c.var.db
  const filter = filterQuery.parse(form)
  const scope = c.var.scope.filter
  const [{ filter: tenantFilter }, plans] = await Promise.all([
    toTenantFilter(db, filter),
    listPlansCached(db),
  ])
  const count = (await listMatchingTenantIds(db, scope, tenantFilter)).length
  return {
    kind: 'tenant.bulk_suspend' as const,
    summary: `Suspend ${count} tenant${count === 1 ? '' : 's'}: ${describeFilter(filter, plans)}`,
    targetType: 'tenant_filter',
    targetId: canonicalJson({ filter, scope }),
    tenantId: scope.tenantId ?? null,
    change: { filter, scope, count },
  }
}
