import type { Transaction } from 'kysely'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Impersonation } from '../db/impersonations.js'
import { markImpersonationEnded } from '../db/impersonations.js'
import type { Database } from '../db/schema.js'
import { enqueueTenantAuditEntries } from './tenant-audit-delivery.js'

// Seed 002's transparency rule: every step of an impersonation is written twice — in
// public.audit_log with both identities (actor_* and impersonated_*) and in the tenant's own
// audit_log, which the tenant's admins read and the console cannot suppress. The tenant's entry
// is enqueued in the step's public transaction (tenant_audit_outbox, committed with the step) and
// delivered after the commit: the verbs run their transaction with transactWithTenantAudit, so no
// transaction writes both public and the tenant schema (issue 13 item 4).

/** What the tenant's admins read in their own log, beside the step's own details. */
export const TENANT_NOTICE = 'Fleetdeck support accessed your workspace'

type Step = {
  /** `impersonation.start`, `.handoff`, `.end`… in public.audit_log. */
  action: string
  /** `support.impersonation_started`… in the tenant's log; omit for a public-only step. */
  tenantAction?: string
  /** Who the tenant's log names; the impersonating operator's email unless given. */
  tenantActor?: string
  after?: Record<string, unknown>
}

/**
 * Appends one step of `imp` to public.audit_log and enqueues its tenant entry, on `trx`. A
 * deleted tenant gets no entry (its log goes with the schema); a missing log of any other tenant
 * throws and rolls the step back.
 */
export async function auditImpersonationStep(
  trx: Transaction<Database>,
  ctx: AuditContext,
  imp: Impersonation,
  step: Step,
  now: Date,
): Promise<void> {
  await appendAuditEntry(
    trx,
    ctx,
    {
      action: step.action,
      targetType: 'impersonation',
      targetId: imp.id,
      tenantId: imp.tenantId,
      impersonatedUserId: imp.userId,
      impersonatedTenantId: imp.tenantId,
      after: { userEmail: imp.userEmail, tenant: imp.tenantSlug, ...step.after },
    },
    now,
  )
  if (!step.tenantAction || imp.tenantStatus === 'deleted') return
  await enqueueTenantAuditEntries(trx, { id: imp.tenantId, slug: imp.tenantSlug }, [
    {
      actor: step.tenantActor ?? imp.operatorEmail,
      action: step.tenantAction,
      details: {
        impersonatedUser: imp.userEmail,
        impersonationId: imp.id,
        reason: imp.reason,
        ticket: imp.ticket,
        mode: imp.mode,
        expiresAt: imp.expiresAt.toISOString(),
        message: TENANT_NOTICE,
        ...step.after,
      },
    },
  ])
}

/** The context with the impersonating operator as the actor (kit API calls have no session). */
export function asOperator(ctx: AuditContext, imp: Impersonation): AuditContext {
  return { ...ctx, actor: { id: imp.operatorId, email: imp.operatorEmail } }
}

/**
 * Ends a lapsed impersonation as `expired` at its own `expires_at` (not at the moment someone
 * noticed), audited in both logs with no actor (the clock did it).
 * @returns false when another transaction ended it first
 */
export async function expireLapsed(
  trx: Transaction<Database>,
  ctx: AuditContext,
  imp: Impersonation,
  now: Date,
): Promise<boolean> {
  const ended = await markImpersonationEnded(trx, imp.id, {
    endedAt: imp.expiresAt,
    endedBy: null,
    endReason: 'expired',
  })
  if (!ended) return false
  await auditImpersonationStep(
    trx,
    { ...ctx, actor: null },
    imp,
    {
      action: 'impersonation.expire',
      tenantAction: 'support.impersonation_expired',
      after: { endReason: 'expired', endedAt: imp.expiresAt.toISOString() },
    },
    now,
  )
  return true
}
