import type { Transaction } from 'kysely'
import type { AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import type { Database } from '../db/schema.js'
import {
  findImpersonation,
  findOpenImpersonation,
  lockLapsedImpersonations,
  lockOpenImpersonationsOfTenant,
  markImpersonationEnded,
  type Impersonation,
} from '../db/impersonations.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { auditImpersonationStep, expireLapsed } from './impersonation-audit.js'
import { transactWithTenantAudit } from './tenant-audit-delivery.js'

// How an impersonation ends (issue 8 item 2): End in the console or in the tenant app, or the
// clock. Each is one compare-and-set on `ended_at is null` with its entries in both logs.

export type EndImpersonation = {
  /** The operator who pressed End: the impersonating one, or an owner ending anyone's. */
  by: { id: string; email: string }
  reason: 'ended' | 'ended_in_app'
}

/**
 * Ends impersonation `id`. Idempotent: one that already ended answers `changed: false`; one that
 * lapsed unnoticed ends as `expired` at its expiry. Who may end whose is the caller's check.
 * @throws when the tenant's schema is missing: nothing is written
 */
export async function endImpersonation(
  db: Db,
  ctx: AuditContext,
  id: string,
  end: EndImpersonation,
  now: Date,
): Promise<DomainResult<{ impersonation: Impersonation; changed: boolean }, 'not_found'>> {
  return transactWithTenantAudit(db, async (trx) => {
    const imp = await findImpersonation(trx, id, true)
    if (!imp) return refuse('not_found')
    if (imp.endedAt) return { ok: true, impersonation: imp, changed: false }
    if (imp.expiresAt <= now) {
      await expireLapsed(trx, ctx, imp, now)
      return { ok: true, impersonation: (await findImpersonation(trx, id))!, changed: false }
    }
    const ended = await endOpen(trx, ctx, imp, end, now)
    return { ok: true, impersonation: ended, changed: true }
  })
}

/** Ends the open, unexpired `imp` (locked by the caller) and writes `impersonation.end` to both logs. */
async function endOpen(
  trx: Transaction<Database>,
  ctx: AuditContext,
  imp: Impersonation,
  end: EndImpersonation,
  now: Date,
): Promise<Impersonation> {
  await markImpersonationEnded(trx, imp.id, {
    endedAt: now,
    endedBy: end.by.id,
    endReason: end.reason,
  })
  const ended = (await findImpersonation(trx, imp.id))!
  await auditImpersonationStep(
    trx,
    { ...ctx, actor: end.by },
    ended,
    {
      action: 'impersonation.end',
      tenantAction: 'support.impersonation_ended',
      tenantActor: end.by.email,
      after: {
        endReason: end.reason,
        endedAt: now.toISOString(),
        message: 'Fleetdeck support left your workspace',
      },
    },
    now,
  )
  return ended
}

/**
 * Ends the open impersonation of operator `operatorId`, if any, inside the caller's transaction
 * (run it with transactWithTenantAudit, which delivers the tenant's entry after the commit):
 * for a deactivation or a role that no longer impersonates, so the tenant app drops the session
 * within its cache's hold instead of honouring it until expiry (OWASP ASVS 5.0 §7.4.2: sessions end
 * when access is withdrawn). Ended by the context's actor, in both logs; one that lapsed is
 * expired instead.
 * @returns true when one was ended
 */
export async function endOperatorImpersonation(
  trx: Transaction<Database>,
  ctx: AuditContext,
  operatorId: string,
  now: Date,
): Promise<boolean> {
  const imp = await findOpenImpersonation(trx, operatorId, true)
  if (!imp) return false
  if (imp.expiresAt <= now) return expireLapsed(trx, ctx, imp, now)
  const by = ctx.actor ?? { id: imp.operatorId, email: imp.operatorEmail }
  await endOpen(trx, ctx, imp, { by, reason: 'ended' }, now)
  return true
}

/**
 * Ends every impersonation whose time ran out (at most 100 a run), each in its own transaction:
 * `expired`, ended at its `expires_at`, audited in both logs with no actor. Two instances never
 * take the same one (SKIP LOCKED). One whose tenant log cannot be written stays open and is
 * retried next run; the kit treats a past `expiresAt` as ended anyway.
 * @returns how many it ended, and the ids it could not
 */
export async function expireImpersonations(
  db: Db,
  now: Date,
): Promise<{ expired: number; failed: string[] }> {
  const lapsed = await db.transaction().execute((trx) => lockLapsedImpersonations(trx, now))
  let expired = 0
  const failed: string[] = []
  for (const { id } of lapsed) {
    try {
      const ended = await transactWithTenantAudit(db, async (trx) => {
        const [imp] = await lockLapsedImpersonations(trx, now, { id })
        return imp ? expireLapsed(trx, { actor: null }, imp, now) : false
      })
      if (ended) expired += 1
    } catch {
      failed.push(id)
    }
  }
  return { expired, failed }
}

/**
 * Ends every open impersonation of a tenant that is going away, inside the caller's transaction
 * (deleteTenant's): `tenant_unavailable`, ended by the context's actor, audited in
 * public.audit_log. The tenant's own log is not written: it is dropped with the schema in the
 * same transaction (auditImpersonationStep skips a deleted tenant).
 * @returns how many it ended
 */
export async function endTenantImpersonations(
  trx: Transaction<Database>,
  ctx: AuditContext,
  tenantId: string,
  now: Date,
): Promise<number> {
  const open = await lockOpenImpersonationsOfTenant(trx, tenantId)
  for (const imp of open) {
    await markImpersonationEnded(trx, imp.id, {
      endedAt: now,
      endedBy: ctx.actor?.id ?? null,
      endReason: 'tenant_unavailable',
    })
    await auditImpersonationStep(
      trx,
      ctx,
      imp,
      {
        action: 'impersonation.end',
        after: { endReason: 'tenant_unavailable', endedAt: now.toISOString() },
      },
      now,
    )
  }
  return open.length
}
