import { newCookieSecret } from '../auth/cookie-secret.js'
import { invalidateAllSessions } from '../auth/session.js'
import {
  beginSigningKeyRotation,
  ConcurrentRotationError,
  replaceActiveSigningKey,
} from '../auth/signing-keys.js'
import type { Config } from '../config.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import { findCookieSecret, replaceCookieSecret } from '../db/cookie-secret.js'
import type { Db } from '../db/database.js'
import { lockLiveImpersonations } from '../db/live-impersonations.js'
import { invalidateSettingsCache } from '../db/settings.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { endOperatorImpersonation } from '../tenancy/impersonation-end.js'
import { transactWithTenantAudit } from '../tenancy/tenant-audit-delivery.js'

// The two rotations of /settings/keys (issue 10 item 6, seed 002). Each is one transaction with
// its audit entry: what the old secret let in ends in the same commit as the secret itself.

/**
 * Rotates the tenant signing key (seed 002: "invalidates every tenant session immediately"): a
 * new active key; the old one retired but published in the JWKS for SIGNING_KEY_OVERLAP_MS (1 h);
 * every live impersonation ended as an operator's End would (reason `ended`, by the rotating
 * owner, in both audit logs), so the tenant apps holding kit sessions drop them at their next
 * check. The counts are what actually ended, which may differ from the page the owner saw.
 * Audited `settings.signing_key.rotate` with the kids and the counts.
 *
 * Ordering (beginSigningKeyRotation): the rotation first waits for every impersonation start and
 * handoff signing with the old key to commit, so it ends them too, and holds new ones off until
 * it commits, so they sign with the new key. Only then does it compare the active key with
 * `expectedKid`, the kid the owner's page showed: a second submission of that page, or another
 * owner's rotation, finds the key replaced and changes nothing instead of rotating again.
 * @param expectedKid the kid the page showed; null when it showed no key yet
 * @returns what ended, or `rotated_meanwhile` when the active key is no longer `expectedKid`
 *   (or a first key was created meanwhile): nothing changed, nothing audited
 * @throws when a tenant's schema (its audit log) is missing: nothing changes
 */
export async function rotateTenantSigningKey(
  db: Db,
  context: AuditContext,
  config: Pick<Config, 'secretKey'>,
  expectedKid: string | null,
  now: Date,
): Promise<
  DomainResult<
    {
      kid: string
      retiredKid: string | null
      impersonationsEnded: number
      kitSessionsEnded: number
    },
    'rotated_meanwhile'
  >
> {
  try {
    return await transactWithTenantAudit(db, async (trx) => {
      if ((await beginSigningKeyRotation(trx)) !== expectedKid) return refuse('rotated_meanwhile')
      const live = await lockLiveImpersonations(trx, now)
      const rotated = await replaceActiveSigningKey(trx, config, now)
      for (const imp of live) await endOperatorImpersonation(trx, context, imp.operatorId, now)
      const counts = {
        impersonationsEnded: live.length,
        kitSessionsEnded: live.filter((imp) => imp.kitSession).length,
      }
      await appendAuditEntry(
        trx,
        context,
        {
          action: 'settings.signing_key.rotate',
          targetType: 'signing_key',
          targetId: rotated.kid,
          before: { kid: rotated.retiredKid },
          after: { kid: rotated.kid, ...counts, endedImpersonations: live.map((imp) => imp.id) },
        },
        now,
      )
      return { ok: true as const, ...rotated, ...counts }
    })
  } catch (error) {
    if (error instanceof ConcurrentRotationError) return refuse('rotated_meanwhile')
    throw error
  }
}

/**
 * Rotates the super-admin secret: ends every operator session at once (the caller's included,
 * as signEveryoneOut) and replaces the cookie secret mixed into every signed cookie (scope,
 * flash, form resume), so no cookie signed before verifies after. This instance drops its cached
 * settings after the commit; other instances pick the new secret up within SETTINGS_TTL_MS.
 * Audited `settings.super_admin_secret.rotate` (the secret only as `changed`).
 * @returns how many sessions ended
 */
export async function rotateSuperAdminSecret(
  db: Db,
  context: AuditContext,
  config: Pick<Config, 'secretKey'>,
  now: Date,
): Promise<DomainResult<{ sessionsEnded: number }>> {
  const sessionsEnded = await db.transaction().execute(async (trx) => {
    const before = await findCookieSecret(trx, { forUpdate: true })
    const ended = await invalidateAllSessions(trx)
    await replaceCookieSecret(trx, newCookieSecret(config, now), context.actor?.id ?? null, now)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'settings.super_admin_secret.rotate',
        targetType: 'cluster',
        targetId: null,
        before: { cookieSecretCreatedAt: before?.createdAt ?? null },
        after: { cookieSecret: 'changed', sessionsEnded: ended },
      },
      now,
    )
    return ended
  })
  invalidateSettingsCache()
  return { ok: true, sessionsEnded }
}
