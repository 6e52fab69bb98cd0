import type { Transaction } from 'kysely'
import type { Db } from './database.js'
import type { Database, TenantStatus } from './schema.js'

// A tenant as its own app sees it through the kit API (issue 8 item 3): status, plan and the
// plan's quotas (seeds/002), read in one statement.

/** A tenant with its plan and the plan's quotas; a null quota is unlimited. */
export type TenantEntitlements = {
  id: string
  slug: string
  name: string
  status: TenantStatus
  planChangedAt: Date | null
  suspendedAt: Date | null
  plan: { id: string; name: string }
  quotas: {
    /** Memberships the tenant may hold (seeds/002); null = unlimited. */
    members: number | null
    /** Storage (DB + files) in bytes; null = unlimited. */
    storageBytes: number | null
    customDomains: number | null
    /** API calls per UTC day; null = unlimited. */
    apiCallsPerDay: number | null
  }
}

function entitlementsQuery(db: Db) {
  return db
    .selectFrom('tenants')
    .innerJoin('plans', 'plans.id', 'tenants.plan_id')
    .select([
      'tenants.id',
      'tenants.slug',
      'tenants.name',
      'tenants.status',
      'tenants.plan_changed_at',
      'tenants.suspended_at',
      'plans.id as plan_id',
      'plans.name as plan_name',
      'plans.max_members',
      'plans.max_storage_bytes',
      'plans.max_custom_domains',
      'plans.max_api_calls_per_day',
    ])
}

type EntitlementsRow = Awaited<ReturnType<ReturnType<typeof entitlementsQuery>['execute']>>[number]

function toEntitlements(r: EntitlementsRow): TenantEntitlements {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    status: r.status,
    planChangedAt: r.plan_changed_at,
    suspendedAt: r.suspended_at,
    plan: { id: r.plan_id, name: r.plan_name },
    quotas: {
      members: r.max_members,
      storageBytes: r.max_storage_bytes,
      customDomains: r.max_custom_domains,
      apiCallsPerDay: r.max_api_calls_per_day,
    },
  }
}

/** The tenant with this slug, its plan and quotas; undefined when no tenant has the slug. */
export async function findTenantEntitlements(
  db: Db,
  slug: string,
): Promise<TenantEntitlements | undefined> {
  const row = await entitlementsQuery(db).where('tenants.slug', '=', slug).executeTakeFirst()
  return row && toEntitlements(row)
}

/**
 * The same, with the tenant's row locked FOR UPDATE until the transaction ends (the plan's row is
 * not locked): additions to one tenant are serialised, so two of them cannot both pass a member
 * quota with one place left (CONVENTIONS.md habit 7). A deletion waits for them, or they see it.
 */
export async function lockTenantEntitlements(
  trx: Transaction<Database>,
  slug: string,
): Promise<TenantEntitlements | undefined> {
  const row = await entitlementsQuery(trx)
    .where('tenants.slug', '=', slug)
    .forUpdate('tenants')
    .executeTakeFirst()
  return row && toEntitlements(row)
}
