import {
  handoffUrl,
  newHandoffJti,
  signHandoffToken,
  verifyHandoffToken,
} from '../auth/handoff-token.js'
import type { Config } from '../config.js'
import { findAppKey } from '../db/app-keys.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import {
  findImpersonation,
  redeemHandoffJti,
  replaceHandoffJti,
  type Impersonation,
} from '../db/impersonations.js'
import { lockSigningKeyShared } from '../db/signing-keys.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { asOperator, auditImpersonationStep } from './impersonation-audit.js'
import { handoffClaims } from './impersonation.js'
import { transactWithTenantAudit } from './tenant-audit-delivery.js'

// The handoff (PROTOCOL.md "Impersonation"): the console signs a 60-second token for the
// operator's browser; the tenant app's kit redeems it here, once.

type SigningConfig = Pick<Config, 'publicUrl' | 'secretKey'>

/**
 * A fresh handoff for the banner's "Open app": a new jti replaces the previous one (which can no
 * longer be redeemed). Only the impersonation's own operator, while it is active. Signed under
 * the signing-key lock held shared until the commit, as a start is: a rotation running meanwhile
 * either ends the impersonation first (then `not_active`) or waits for this commit and ends it.
 */
export async function issueHandoff(
  db: Db,
  ctx: AuditContext,
  config: SigningConfig,
  id: string,
  operator: { id: string; email: string },
  now: Date,
): Promise<DomainResult<{ handoffUrl: string }, 'not_found' | 'not_active' | 'no_app_key'>> {
  return db.transaction().execute(async (trx) => {
    // First, before the row and audit locks: a rotation takes this lock, then those.
    await lockSigningKeyShared(trx)
    const imp = await findImpersonation(trx, id, true)
    if (!imp || imp.operatorId !== operator.id) return refuse('not_found')
    const app = imp.appKeyId ? await findAppKey(trx, imp.appKeyId) : undefined
    if (!app || app.revokedAt) return refuse('no_app_key')
    const jti = newHandoffJti()
    if (!(await replaceHandoffJti(trx, id, jti, now))) return refuse('not_active')
    await appendAuditEntry(
      trx,
      { ...ctx, actor: operator },
      {
        action: 'impersonation.handoff_issued',
        targetType: 'impersonation',
        targetId: id,
        tenantId: imp.tenantId,
        impersonatedUserId: imp.userId,
        impersonatedTenantId: imp.tenantId,
        after: { app: { id: app.id, name: app.name } },
      },
      now,
    )
    const token = await signHandoffToken(trx, config, handoffClaims(imp, jti), app.appUrl, now)
    return { ok: true, handoffUrl: handoffUrl(app.appUrl, token) }
  })
}

export type RedeemRefusal =
  'invalid_token' | 'wrong_audience' | 'not_found' | 'handoff_used' | 'impersonation_ended'

/**
 * Redeems a handoff presented by the app of `appKey`: verified again (signature, typ, iss, exp
 * at `now`), its audience must be that key's `app_url`, its impersonation issued to that key,
 * and its jti unused (one compare-and-set). A replay is refused and audited in both logs.
 */
export async function redeemHandoff(
  db: Db,
  ctx: AuditContext,
  config: Pick<Config, 'publicUrl'>,
  appKey: { id: string; appUrl: string },
  token: string,
  now: Date,
): Promise<DomainResult<{ impersonation: Impersonation }, RedeemRefusal>> {
  const verified = await verifyHandoffToken(db, config, token, now)
  if (!verified) return refuse('invalid_token')
  if (!verified.audience.includes(appKey.appUrl)) return refuse('wrong_audience')
  const { claims } = verified
  return transactWithTenantAudit(db, async (trx) => {
    const imp = await findImpersonation(trx, claims.impersonationId, true)
    if (!imp || imp.appKeyId !== appKey.id) return refuse('not_found')
    if (imp.endedAt || imp.expiresAt <= now) return refuse('impersonation_ended')
    const redeemed = await redeemHandoffJti(trx, imp.id, claims.jti, now)
    await auditImpersonationStep(
      trx,
      asOperator(ctx, imp),
      imp,
      redeemed
        ? { action: 'impersonation.handoff', tenantAction: 'support.impersonation_handoff' }
        : {
            action: 'impersonation.handoff_replayed',
            tenantAction: 'support.impersonation_handoff_replayed',
            after: { jti: claims.jti },
          },
      now,
    )
    if (!redeemed) return refuse('handoff_used')
    return { ok: true, impersonation: (await findImpersonation(trx, imp.id))! }
  })
}
