import type { Db } from './database.js'
import type { TenantStatus } from './schema.js'
import { isUuid } from './tenants.js'

// Tenants by id, named and nothing more: what the scope bar and the customer picker show
// (DESIGN.md §11). The full row and its numbers stay with src/db/tenants.ts.

/** A tenant as the scope names it: `Acme Corp (acme)`. */
export type TenantRef = { id: string; slug: string; name: string }

/**
 * The tenants of `ids` with their status, in the order of `ids` (most recent first, for the
 * picker); ids that name no tenant, or are not uuids, are left out. One statement on the primary
 * key; `ids` is short (the scope's tenant, or its 8 recently viewed).
 */
export async function findTenantRefs(
  db: Db,
  ids: readonly string[],
): Promise<(TenantRef & { status: TenantStatus })[]> {
  const wanted = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))]
  if (wanted.length === 0) return []
  const rows = await db
    .selectFrom('tenants')
    .select(['id', 'slug', 'name', 'status'])
    .where('id', 'in', wanted)
    .execute()
  const byId = new Map(rows.map((r) => [r.id, r]))
  return wanted.flatMap((id) => byId.get(id) ?? [])
}
