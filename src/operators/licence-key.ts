import { decryptSecret, deriveKey, encryptSecret } from '../auth/encryption.js'
import type { Config } from '../config.js'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { findSealedLicenceKey, saveSealedLicenceKey } from '../db/licence-key.js'
import { refuse, type DomainResult } from '../domain-result.js'

// The licence key (issue 10 item 6, seed 002): recorded for the licence server and support.
// Fleetdeck itself reads nothing from it — no validation, no feature gate — so saving it needs
// no restart here. Stored sealed; shown as its last four characters; audited as "changed".

/** What the console shows of a stored key: `…` and its last four characters. */
export type MaskedLicenceKey = { lastFour: string }

/**
 * The stored key, masked, or undefined when none is recorded.
 * @throws Error when it was sealed with another FLEETDECK_SECRET_KEY or altered
 */
export async function findMaskedLicenceKey(
  db: Db,
  config: Pick<Config, 'secretKey'>,
): Promise<MaskedLicenceKey | undefined> {
  const sealed = await findSealedLicenceKey(db)
  if (sealed === undefined) return undefined
  return { lastFour: openLicenceKey(config, sealed).slice(-4) }
}

/**
 * Records `key` (set or replace), sealed, audited `settings.licence_key` with the value shown
 * only as `changed`.
 */
export async function setLicenceKey(
  db: Db,
  context: AuditContext,
  config: Pick<Config, 'secretKey'>,
  key: string,
  updatedBy: string,
  now: Date,
): Promise<DomainResult<MaskedLicenceKey>> {
  const sealed = encryptSecret(licenceSealingKey(config.secretKey), new TextEncoder().encode(key))
  await db.transaction().execute(async (trx) => {
    const before = await findSealedLicenceKey(trx, { forUpdate: true })
    await saveSealedLicenceKey(trx, sealed, updatedBy, now)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'settings.licence_key',
        targetType: 'settings',
        targetId: 'licence_key',
        before: { licenceKey: before === undefined ? 'none' : 'set' },
        after: { licenceKey: 'changed' },
      },
      now,
    )
  })
  return { ok: true, lastFour: key.slice(-4) }
}

/** Removes the recorded key, audited `settings.licence_key`; refuses `not_set` when none is. */
export async function clearLicenceKey(
  db: Db,
  context: AuditContext,
  updatedBy: string,
  now: Date,
): Promise<DomainResult<object, 'not_set'>> {
  return db.transaction().execute(async (trx) => {
    const before = await findSealedLicenceKey(trx, { forUpdate: true })
    if (before === undefined) return refuse('not_set')
    await saveSealedLicenceKey(trx, null, updatedBy, now)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'settings.licence_key',
        targetType: 'settings',
        targetId: 'licence_key',
        before: { licenceKey: 'set' },
        after: { licenceKey: 'none' },
      },
      now,
    )
    return { ok: true }
  })
}

function openLicenceKey(config: Pick<Config, 'secretKey'>, sealed: string): string {
  try {
    return new TextDecoder().decode(decryptSecret(licenceSealingKey(config.secretKey), sealed))
  } catch {
    throw new Error('licence key: the stored value does not open with this FLEETDECK_SECRET_KEY')
  }
}

function licenceSealingKey(secretKey: string): Buffer {
  return deriveKey(secretKey, 'licence-key')
}
