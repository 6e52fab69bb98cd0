import type { Db } from '../db/database.js'
import { upsertStorageSnapshots } from '../db/storage-snapshots.js'
import type { Tenant } from '../db/tenants.js'
import { addMembership, createTenant, createUser, uniqueSuffix } from '../test-support/factories.js'

// For tests only: a small fleet whose every dashboard number is known (issue 10 item 7, "KPI
// queries against a known fleet"). Build it in an empty database; the expectations below are
// what the dashboard must show for it at `now`.

const DAY_MS = 24 * 3600_000

export type KnownFleet = {
  now: Date
  acme: Tenant
  globex: Tenant
  initech: Tenant
  umbrella: Tenant
}

/** The numbers of KnownFleet: fleet-wide, and for acme and globex picked. */
export const KNOWN = {
  fleet: {
    activeTenants: 2,
    suspendedTenants: 1,
    // Four first admins (one per tenant, made by onboarding) and u1–u4.
    users: 8,
    activeUsers: 2,
    // The four first admins and u2 were created today.
    signupsToday: 5,
    pendingJoinRequests: 3,
    activeImpersonations: 1,
    // acme 1,500 + globex 2,000 + initech 500; umbrella (deleted) is left out.
    storageBytes: 4000,
  },
  acme: {
    users: 4,
    activeUsers: 2,
    signupsToday: 2,
    pendingJoinRequests: 2,
    activeImpersonations: 1,
    storageBytes: 1500,
  },
  globex: {
    users: 3,
    activeUsers: 1,
    signupsToday: 1,
    pendingJoinRequests: 1,
    activeImpersonations: 0,
    storageBytes: 2000,
  },
  host: { cpuPercent: 42.5, memoryPercent: 61.25, diskPercent: 70 },
} as const

/**
 * Builds the fleet: acme and globex active, initech suspended, umbrella deleted; users u1–u4
 * with known sign-ins and memberships; join requests, impersonations (one active, one lapsed,
 * one ended), storage snapshots and two health samples. `operators` are two super-admin ids
 * (an operator holds one open impersonation at most).
 */
export async function buildKnownFleet(db: Db, operators: [string, string]): Promise<KnownFleet> {
  const now = new Date()
  const ago = (days: number) => new Date(now.getTime() - days * DAY_MS)
  const [acme, globex, initech, umbrella] = [
    await createTenant(db),
    await createTenant(db),
    await createTenant(db),
    await createTenant(db),
  ]
  await db
    .updateTable('tenants')
    .set({ status: 'suspended' })
    .where('id', '=', initech.id)
    .execute()
  await db.updateTable('tenants').set({ status: 'deleted' }).where('id', '=', umbrella.id).execute()

  const u1 = await createUser(db, { createdAt: ago(10), lastLoginAt: ago(2) })
  const u2 = await createUser(db, { createdAt: now })
  const u3 = await createUser(db, { createdAt: ago(40), lastLoginAt: ago(31), status: 'disabled' })
  const u4 = await createUser(db, { createdAt: ago(5), lastLoginAt: ago(29) })
  await addMembership(db, u1, acme, 'member', ago(10))
  await addMembership(db, u2, acme, 'member', now)
  await addMembership(db, u4, acme, 'admin', ago(5))
  await addMembership(db, u3, globex, 'member', ago(40))
  await addMembership(db, u4, globex, 'member', ago(4))

  const request = (tenant: Tenant, status: 'pending' | 'approved') => ({
    id: crypto.randomUUID(),
    email: `asker-${uniqueSuffix()}@example.com`,
    name: 'Asker',
    tenant_id: tenant.id,
    status,
    created_at: ago(1),
    ...(status === 'approved' ? { role: 'member' as const, decided_at: ago(0.5) } : {}),
  })
  await db
    .insertInto('join_requests')
    .values([
      request(acme, 'pending'),
      request(acme, 'pending'),
      request(globex, 'pending'),
      request(acme, 'approved'),
    ])
    .execute()

  const impersonation = (operator: string, tenant: Tenant, user: string, minutes: number) => ({
    operator_id: operator,
    operator_email: 'op@example.com',
    tenant_id: tenant.id,
    user_id: user,
    reason: 'Support ticket 1234',
    mode: 'read_only' as const,
    started_at: new Date(now.getTime() - 30 * 60_000),
    expires_at: new Date(now.getTime() + minutes * 60_000),
  })
  await db
    .insertInto('impersonations')
    .values([
      impersonation(operators[0], acme, u1.id, 20),
      // Lapsed: not ended yet, but expired (the expiry task has not caught up).
      impersonation(operators[1], acme, u1.id, -5),
      { ...impersonation(operators[0], globex, u3.id, 20), ended_at: ago(0), end_reason: 'ended' },
    ])
    .execute()

  const snapshot = (tenant: Tenant, dbBytes: number, fileBytes: number) => ({
    tenantId: tenant.id,
    dbBytes,
    fileBytes,
    takenAt: ago(0.01),
  })
  await upsertStorageSnapshots(db, [
    snapshot(acme, 1000, 500),
    snapshot(globex, 2000, 0),
    snapshot(initech, 300, 200),
    snapshot(umbrella, 9999, 1),
  ])

  const sample = (cpu: number) =>
    JSON.stringify({
      'host.cpu_percent': cpu,
      'host.memory_percent': KNOWN.host.memoryPercent,
      'host.disk_percent': KNOWN.host.diskPercent,
      'host.disk_used_bytes': 7 * 1024 ** 3,
      'host.disk_size_bytes': 10 * 1024 ** 3,
    })
  await db
    .insertInto('health_samples')
    .values([
      {
        taken_at: new Date(now.getTime() - 20_000),
        resolution_seconds: 10,
        instance: 'h:1',
        metrics: sample(10),
      },
      {
        taken_at: new Date(now.getTime() - 10_000),
        resolution_seconds: 10,
        instance: 'h:1',
        metrics: sample(KNOWN.host.cpuPercent),
      },
    ])
    .execute()
  return { now, acme, globex, initech, umbrella }
}
