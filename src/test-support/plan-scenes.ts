import type { App } from '../app.js'
import { createSession } from '../auth/session.js'
import type { Config } from '../config.js'
import type { Db } from '../db/database.js'
import type { OperatorRole } from '../db/schema.js'
import { createSuperAdmin, uniqueSuffix } from './factories.js'
import { cookieFrom, getPage, SESSION_COOKIE } from './requests.js'

// Scenes for plan and licence tests (issue 9 items 1, 2): plans with given quotas, usage rows
// (storage snapshots, API calls), operators of any role, and following a redirect to its flash.

/** A full-session cookie of a new operator with `role`, straight in the database. */
export async function cookieOfRole(
  db: Db,
  config: Config,
  role: OperatorRole,
  now: Date,
): Promise<string> {
  const who = await createSuperAdmin(db, config, { role })
  const { token } = await createSession(db, who.admin.id, { twoFactorVerified: true }, now)
  return `${SESSION_COOKIE}=${token}`
}

/** A plan inserted directly (USD, public, quotas unlimited unless given); returns its id. */
export async function insertTestPlan(
  db: Db,
  o: {
    id?: string
    name?: string
    priceCentsMonthly?: number
    maxMembers?: number | null
    maxStorageBytes?: number | null
    maxApiCallsPerDay?: number | null
    archived?: boolean
  } = {},
): Promise<string> {
  const id = o.id ?? `p-${uniqueSuffix()}`
  await db
    .insertInto('plans')
    .values({
      id,
      name: o.name ?? `Plan ${id}`,
      price_cents_monthly: o.priceCentsMonthly ?? 1000,
      price_cents_yearly: (o.priceCentsMonthly ?? 1000) * 10,
      max_members: o.maxMembers ?? null,
      max_storage_bytes: o.maxStorageBytes ?? null,
      max_custom_domains: null,
      max_api_calls_per_day: o.maxApiCallsPerDay ?? null,
      sort_order: 50,
      archived_at: o.archived ? new Date() : null,
    })
    .execute()
  return id
}

/** Records a storage snapshot of `bytes` (all DB) for the tenant. */
export async function recordStorage(db: Db, tenantId: string, bytes: number): Promise<void> {
  await db
    .insertInto('storage_snapshots')
    .values({ tenant_id: tenantId, db_bytes: bytes, file_bytes: 0, taken_at: new Date() })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ db_bytes: bytes, file_bytes: 0 }))
    .execute()
}

/** Records `calls` API calls for the tenant on UTC day `day` (YYYY-MM-DD). */
export async function recordApiCalls(
  db: Db,
  tenantId: string,
  day: string,
  calls: number,
): Promise<void> {
  await db
    .insertInto('tenant_api_usage')
    .values({ tenant_id: tenantId, day, calls })
    .onConflict((oc) => oc.columns(['tenant_id', 'day']).doUpdateSet({ calls }))
    .execute()
}

/** The tenant's current plan id and plan_changed_at. */
export function tenantPlanRow(db: Db, tenantId: string) {
  return db
    .selectFrom('tenants')
    .select(['plan_id', 'plan_changed_at'])
    .where('id', '=', tenantId)
    .executeTakeFirstOrThrow()
}

/** The plan's row as stored, or undefined. */
export function planRow(db: Db, id: string) {
  return db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Follows a redirect with the session cookie and the flash cookie the response set. */
export async function followWithFlash(app: App, res: Response, session: string): Promise<string> {
  const flash = cookieFrom(res, 'fleetdeck_flash')
  const page = await getPage(
    app,
    res.headers.get('location')!,
    flash ? `${session}; ${flash}` : session,
  )
  return page.text()
}
