import type { Db } from './database.js'

// A tenant's auto-join email domains (`public.tenant_auto_join_domains`, issue 7 item 3): a join
// request from an address at one of them is approved at once as `member`.

/** The tenant's auto-join email domains, A→Z. */
export async function listAutoJoinDomains(
  db: Db,
  tenantId: string,
): Promise<{ domain: string; createdAt: Date }[]> {
  const rows = await db
    .selectFrom('tenant_auto_join_domains')
    .select(['domain', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .orderBy('domain')
    .execute()
  return rows.map((r) => ({ domain: r.domain, createdAt: r.created_at }))
}

/** True when `domain` (lower case) is one of the tenant's auto-join domains. */
export async function isAutoJoinDomain(db: Db, tenantId: string, domain: string): Promise<boolean> {
  const row = await db
    .selectFrom('tenant_auto_join_domains')
    .select('domain')
    .where('tenant_id', '=', tenantId)
    .where('domain', '=', domain)
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Adds an auto-join domain (lower case).
 * @returns false when the tenant has it already
 */
export async function insertAutoJoinDomain(
  db: Db,
  row: { tenantId: string; domain: string; createdBy: string | null; createdAt: Date },
): Promise<boolean> {
  const inserted = await db
    .insertInto('tenant_auto_join_domains')
    .values({
      tenant_id: row.tenantId,
      domain: row.domain,
      created_by: row.createdBy,
      created_at: row.createdAt,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'domain']).doNothing())
    .returning('domain')
    .executeTakeFirst()
  return inserted !== undefined
}

/**
 * Removes an auto-join domain.
 * @returns false when the tenant did not have it
 */
export async function deleteAutoJoinDomain(
  db: Db,
  tenantId: string,
  domain: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('tenant_auto_join_domains')
    .where('tenant_id', '=', tenantId)
    .where('domain', '=', domain)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}
