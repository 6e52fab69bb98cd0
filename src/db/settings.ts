import type { Db } from './database.js'

// Cluster settings as key → JSON value rows in public.settings.

/**
 * The global IP allowlist (CIDRs); [] = no restriction. With `forUpdate` (inside a transaction),
 * the row stays locked until commit, so the audited "before" is the list actually replaced.
 */
export async function getGlobalAllowlist(
  db: Db,
  options: { forUpdate?: boolean } = {},
): Promise<string[]> {
  let query = db.selectFrom('settings').select('value').where('key', '=', 'ip_allowlist')
  if (options.forUpdate) query = query.forUpdate()
  const row = await query.executeTakeFirst()
  return Array.isArray(row?.value) ? (row.value as string[]) : []
}

/** Replaces the global IP allowlist; run inside the transaction that audits it. */
export async function setGlobalAllowlist(
  trx: Db,
  entries: string[],
  updatedBy: string,
  now: Date,
): Promise<void> {
  await trx
    .insertInto('settings')
    .values({
      key: 'ip_allowlist',
      value: JSON.stringify(entries),
      updated_at: now,
      updated_by: updatedBy,
    })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({ value: JSON.stringify(entries), updated_at: now, updated_by: updatedBy }),
    )
    .execute()
}
