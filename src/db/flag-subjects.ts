import type { Db } from './database.js'
import type { TenantStatus } from './schema.js'
import { isUuid } from './tenants.js'

// The tenant a flag evaluation is for (OFREP, the kit snapshot): its id, slug, plan and status.

/** A tenant as flag resolution needs it. */
export type FlagSubjectTenant = { id: string; slug: string; planId: string; status: TenantStatus }

/**
 * The tenant named by `ref`, a tenant id (uuid) or a slug, in one statement; undefined when no
 * tenant has it. A uuid-shaped ref is looked up as an id first, then as a slug (slugs cannot
 * be uuid-shaped: they start with a letter, but a-f are letters, so both are tried).
 */
export async function findFlagSubjectTenant(
  db: Db,
  ref: string,
): Promise<FlagSubjectTenant | undefined> {
  const row = await db
    .selectFrom('tenants')
    .select(['id', 'slug', 'plan_id', 'status'])
    .where((eb) =>
      isUuid(ref) ? eb.or([eb('id', '=', ref), eb('slug', '=', ref)]) : eb('slug', '=', ref),
    )
    .orderBy((eb) => eb.case().when('slug', '=', ref).then(1).else(0).end())
    .limit(1)
    .executeTakeFirst()
  return row && { id: row.id, slug: row.slug, planId: row.plan_id, status: row.status }
}
