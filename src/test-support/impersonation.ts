import type { Config } from '../config.js'
import type { AppKey } from '../db/app-keys.js'
import type { Db } from '../db/database.js'
import type { ImpersonationMode } from '../db/schema.js'
import { listTenantAuditEntries } from '../db/tenant-audit-log.js'
import type { Tenant } from '../db/tenants.js'
import type { User } from '../db/users.js'
import { startImpersonation } from '../tenancy/impersonation.js'
import {
  addMembership,
  createAppKey,
  createSuperAdmin,
  createTenant,
  createUser,
  type TestAdmin,
} from './factories.js'

// Impersonation tests share one picture: an operator, a tenant with a member, and a connected
// tenant app (its app key). Each call builds a fresh one, so tests never share an open
// impersonation.

export type ImpersonationScene = {
  operator: TestAdmin
  tenant: Tenant
  user: User
  appKey: AppKey
  /** The app key's bearer token (`fdk_…`). */
  appToken: string
}

/** A fresh operator (role `support` unless given), tenant, member and app key. */
export async function impersonationScene(
  db: Db,
  config: Config,
  o: { role?: 'owner' | 'admin' | 'support'; appUrl?: string } = {},
): Promise<ImpersonationScene> {
  const operator = await createSuperAdmin(db, config, { role: o.role ?? 'support' })
  const tenant = await createTenant(db)
  const user = await createUser(db)
  await addMembership(db, user, tenant, 'admin')
  const { key, token } = await createAppKey(db, { appUrl: o.appUrl })
  return { operator, tenant, user, appKey: key, appToken: token }
}

/** Starts an impersonation of the scene's user (read-only, 30 minutes) and returns it. */
export async function startSceneImpersonation(
  db: Db,
  config: Config,
  scene: ImpersonationScene,
  now: Date,
  mode: ImpersonationMode = 'read_only',
) {
  const result = await startImpersonation(
    db,
    { actor: scene.operator.admin },
    config,
    {
      operator: scene.operator.admin,
      tenantId: scene.tenant.id,
      userId: scene.user.id,
      reason: 'Customer ticket about a broken board',
      ticket: 'SUP-1234',
      durationMinutes: 30,
      mode,
      appKeyId: scene.appKey.id,
    },
    now,
  )
  if (!result.ok) throw new Error(`impersonation refused: ${result.reason}`)
  return result
}

/** The handoff token inside a handoff URL. */
export function tokenOf(handoffUrl: string): string {
  return new URL(handoffUrl).searchParams.get('token') ?? ''
}

/** The tenant's own audit entries with one action, oldest first. */
export async function tenantEntries(db: Db, slug: string, action: string) {
  return (await listTenantAuditEntries(db, slug, 500)).filter((e) => e.action === action).reverse()
}

/** How many rows public.impersonations and public.audit_log hold, and the tenant's log. */
export async function impersonationCounts(db: Db, slug: string) {
  const count = async (table: 'impersonations' | 'audit_log') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
  return {
    impersonations: await count('impersonations'),
    audit: await count('audit_log'),
    tenantLog: (await listTenantAuditEntries(db, slug, 1000)).length,
  }
}
