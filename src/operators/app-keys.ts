import { generateAppKey } from '../auth/app-keys.js'
import { findAppKey, insertAppKey, revokeAppKeyRow, type AppKey } from '../db/app-keys.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { refuse, type DomainResult } from '../domain-result.js'

// App keys managed by owners at /settings/app-keys (issue 8 item 3). Each verb is one
// transaction: the row and its audit entry commit together. The secret never reaches the log.

/**
 * Creates an app key for a tenant app at `appUrl` (an origin, already normalised by
 * parseAppOrigin) and audits `app_key.create` (after: name and app URL).
 * @returns the stored key and its `fdk_…` token: the only moment the token exists in clear
 */
export async function createAppKey(
  db: Db,
  context: AuditContext,
  input: { name: string; appUrl: string },
  createdBy: string | null,
  now: Date,
): Promise<DomainResult<{ key: AppKey; token: string }>> {
  const fresh = generateAppKey()
  const key = await db.transaction().execute(async (trx) => {
    const key = await insertAppKey(
      trx,
      {
        id: fresh.id,
        name: input.name,
        appUrl: input.appUrl,
        secretHash: fresh.secretHash,
        createdBy,
      },
      now,
    )
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'app_key.create',
        targetType: 'app_key',
        targetId: key.id,
        before: null,
        after: { name: key.name, appUrl: key.appUrl },
      },
      now,
    )
    return key
  })
  return { ok: true, key, token: fresh.token }
}

/**
 * Revokes key `id` (compare-and-set: one revocation however many owners press at once) and audits
 * `app_key.revoke` with the revocation time before and after. The kit API refuses the key from
 * the commit on.
 * @returns the revoked key; `not_found`; `already_revoked` (with nothing written)
 */
export async function revokeAppKey(
  db: Db,
  context: AuditContext,
  id: string,
  revokedBy: string | null,
  now: Date,
): Promise<DomainResult<{ key: AppKey }, 'not_found' | 'already_revoked'>> {
  return db.transaction().execute(async (trx) => {
    const key = await revokeAppKeyRow(trx, id, revokedBy, now)
    if (!key) return refuse((await findAppKey(trx, id)) ? 'already_revoked' : 'not_found')
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'app_key.revoke',
        targetType: 'app_key',
        targetId: key.id,
        before: { name: key.name, revokedAt: null },
        after: { name: key.name, revokedAt: key.revokedAt },
      },
      now,
    )
    return { ok: true, key }
  })
}
