import { faker } from '@faker-js/faker'
import type { AuditContext } from '../db/audit-log.js'
import type { DatabaseHandle, Db } from '../db/database.js'
import { listTenantsAwaitingOnboardingCreatedBy } from '../db/onboarding.js'
import { appendMemberAddedEntries } from '../db/tenant-audit-log.js'
import { insertAttachments, type NewAttachment } from '../db/tenant-schema.js'
import { backdateTenantCreation, setTenantLastActivity, type Tenant } from '../db/tenants.js'
import { insertUsersInBulk } from '../db/users.js'
import { runBounded } from '../jobs/run-bounded.js'
import { seedDemoApiUsage } from './demo-api-usage.js'
import { seedDemoJoinRequests, type DemoJoinRequestsSummary } from './demo-join-requests.js'
import { changeTenantStatus } from '../tenancy/lifecycle.js'
import {
  createTenantRecord,
  describeOnboardingFailure,
  onboardingRetry,
  runOnboarding,
  type NewTenant,
} from '../tenancy/onboarding.js'
import { refreshStorageSnapshots } from '../tenancy/storage.js'
import {
  lettersOnly,
  pickActivePoolIndex,
  poolPerson,
  populateUsers,
  type PopulationTenant,
} from './demo-users.js'

// The demo fleet behind `npm run seed`. Tenants go through the console's own onboarding
// pipeline (createTenantRecord + runOnboarding), so the audit log shows them as one seed batch,
// and a run interrupted mid-way leaves tenants the next run recognises as its own and resumes.
// Users, memberships and sign-in history then go in as bulk inserts (src/demo/demo-users.ts),
// streamed in batches: `--users 1000000` never holds the pool in memory.

/** The request id of every audit entry the seed writes: how it finds the tenants it made. */
export const SEED_REQUEST_ID = 'seed'

export type DemoFleetOptions = {
  /** Tenants to add (≥ 0). */
  tenants: number
  /** Size of the global user pool (≥ 1): the same M people on every run, so re-runs reuse them. */
  users: number
  /** Onboardings in flight at once; default 4 on PostgreSQL, 1 on PGlite (one connection). */
  concurrency?: number
  /** Share of the new tenants left suspended, 0–1; default 0.1, rounded to a whole tenant. */
  suspendedShare?: number
  /** Called after each tenant, with how many of `total` are done. */
  onProgress?: (done: number, total: number) => void
  /** Called after each batch of users, with how many of `total` are written. */
  onUsersProgress?: (done: number, total: number) => void
  /**
   * File demo join requests for a few of the new tenants (src/demo/demo-join-requests.ts); the
   * approved ones add users and memberships beyond the pool. Default false; `npm run seed` sets it.
   */
  joinRequests?: boolean
  /** Config.tenantMigrationDirs: a tenant app's own migrations, applied in every new schema. */
  tenantMigrationDirs?: readonly string[]
}

export type DemoFleetSummary = {
  /** The audit log's batch_id of every entry this run wrote. */
  batchId: string
  /** Tenants an interrupted earlier seed left onboarding, onboarded and populated by this run. */
  tenantsResumed: number
  /**
   * Tenants an earlier seed left `provisioning` whose run's lease has not expired yet (it may
   * still be running): not touched; `resumableAt` says when a next run can take them.
   */
  tenantsLeased: number
  resumableAt: Date | null
  tenantsCreated: number
  tenantsSuspended: number
  /** Users inserted by this run; the pool's other users already existed. */
  usersCreated: number
  usersInPool: number
  /** Memberships added by this run, owners included. */
  memberships: number
  /** Sign-ins added by this run. */
  signIns: number
  /** Join requests this run filed, by where they ended up. */
  joinRequests: DemoJoinRequestsSummary
  attachments: number
  /** Wall time of the tenant pipeline alone, in seconds. */
  pipelineSeconds: number
  /** tenantsCreated / pipelineSeconds. */
  tenantsPerSecond: number
  /** Wall time of the bulk load of users, memberships and sign-ins, in seconds. */
  usersSeconds: number
  /** Wall time of the whole run (users, tenants, storage snapshots), in seconds. */
  totalSeconds: number
}

type TenantOutcome = { suspended: boolean; attachments: number; createdAt: Date }

const DAY_MS = 86_400_000

/**
 * Adds a demo fleet. First the tenants an interrupted earlier seed left onboarding (failed, or
 * provisioning past its run's lease) are onboarded again; then `tenants` new tenants are onboarded
 * `concurrency` at a time, each with an active pool person as first admin (owner), 0–20
 * attachments (1 KB–50 MB) and a recent last_activity_at; `suspendedShare` of them end up
 * suspended. Then the pool is written in bulk (populateUsers): each person in 1–3 of this run's
 * tenants, with a sign-in history of the last 90 days. Ends with a storage snapshot of every
 * tenant, on a connection of its own.
 * @throws when an onboarding fails (naming the tenant and step); tenants already made stay.
 */
export async function seedDemoFleet(
  handle: DatabaseHandle,
  options: DemoFleetOptions,
): Promise<DemoFleetSummary> {
  if (!Number.isInteger(options.tenants) || options.tenants < 0) {
    throw new RangeError('tenants must be a whole number ≥ 0')
  }
  if (!Number.isInteger(options.users) || options.users < 1) {
    throw new RangeError('users must be a whole number ≥ 1')
  }
  const started = performance.now()
  const { db } = handle
  const batchId = crypto.randomUUID()
  const context: AuditContext = { actor: null, requestId: SEED_REQUEST_ID, batchId }
  const concurrency = options.concurrency ?? defaultConcurrency(handle)
  const totals = { tenants: 0, suspended: 0, attachments: 0 }
  const runTenants: PopulationTenant[] = []
  const onboarded: Tenant[] = []
  const count = (tenant: Tenant, outcome: TenantOutcome) => {
    runTenants.push({ id: tenant.id, createdAt: outcome.createdAt })
    onboarded.push(tenant)
    totals.suspended += Number(outcome.suspended)
    totals.attachments += outcome.attachments
  }

  const pipelineStarted = performance.now()
  const stuck = await findStuckSeedTenants(db, new Date())
  await runBounded(stuck.resumable, concurrency, async (tenant) =>
    count(tenant, await onboardAndPopulate(db, context, tenant, false, options)),
  )
  const owners = [...Array(options.tenants)].map(() => pickActivePoolIndex(options.users))
  const firstAdmins = await insertFirstAdmins(db, owners)
  const owned = new Map<number, PopulationTenant[]>()
  const toSuspend = pickSuspended(options.tenants, options.suspendedShare ?? 0.1)
  await runBounded([...Array(options.tenants).keys()], concurrency, async (i) => {
    const tenant = await createUniqueTenant(db, context, owners[i])
    const outcome = await onboardAndPopulate(db, context, tenant, toSuspend.has(i), options)
    count(tenant, outcome)
    owned.set(owners[i], [
      ...(owned.get(owners[i]) ?? []),
      { id: tenant.id, createdAt: outcome.createdAt },
    ])
    totals.tenants++
    options.onProgress?.(totals.tenants, options.tenants)
  })
  const pipelineSeconds = (performance.now() - pipelineStarted) / 1000

  const usersStarted = performance.now()
  const people = await populateUsers(db, {
    users: options.users,
    tenants: runTenants,
    owners: owned,
    onProgress: options.onUsersProgress,
  })
  // Each tenant's own audit log then shows its members arriving, as onboarding shows its owner:
  // one statement that reads public and writes the tenant's log only, in no public transaction.
  await runBounded(onboarded, concurrency, (tenant) =>
    appendMemberAddedEntries(db, tenant, 'seed', tenant.firstAdminEmail),
  )
  const usersSeconds = (performance.now() - usersStarted) / 1000
  // Something for /join-requests to decide, through the same verbs as the console.
  const joinRequests = options.joinRequests
    ? await seedDemoJoinRequests(db, context, onboarded)
    : { pending: 0, approved: 0, denied: 0 }
  // Recorded API calls, so /licences has tenants near and over their daily quota.
  await seedDemoApiUsage(db, onboarded)

  await handle.withDedicatedConnection((own) => refreshStorageSnapshots(own))
  return {
    batchId,
    tenantsResumed: stuck.resumable.length,
    tenantsLeased: stuck.leased.length,
    resumableAt: stuck.resumableAt,
    tenantsCreated: totals.tenants,
    tenantsSuspended: totals.suspended,
    usersCreated: firstAdmins + people.usersCreated,
    usersInPool: options.users,
    // Each onboarded tenant's owner (its first admin), plus the bulk load's.
    memberships: runTenants.length + people.memberships,
    signIns: people.signIns,
    joinRequests,
    attachments: totals.attachments,
    pipelineSeconds,
    tenantsPerSecond: pipelineSeconds > 0 ? totals.tenants / pipelineSeconds : 0,
    usersSeconds,
    totalSeconds: (performance.now() - started) / 1000,
  }
}

function defaultConcurrency(handle: DatabaseHandle): number {
  return handle.kind === 'postgres' ? 4 : 1
}

/** Exactly round(count × share) distinct indices in [0, count). */
function pickSuspended(count: number, share: number): Set<number> {
  const wanted = Math.min(count, Math.round(count * Math.min(1, Math.max(0, share))))
  return new Set(faker.helpers.arrayElements([...Array(count).keys()], wanted))
}

/**
 * The first admins' pool rows, written before their tenants onboard so the pipeline's
 * first_admin step finds them (and the pool keeps its identity); returns how many were new.
 */
async function insertFirstAdmins(db: Db, indices: number[]): Promise<number> {
  const now = Date.now()
  const rows = [...new Set(indices)].map((index) => {
    const { email, name, status, createdAt } = poolPerson(index, now)
    return { id: crypto.randomUUID(), email, name, status, createdAt }
  })
  let created = 0
  for (let start = 0; start < rows.length; start += 5000)
    created += (await insertUsersInBulk(db, rows.slice(start, start + 5000))).length
  return created
}

/**
 * The tenants an earlier, interrupted seed left onboarding: `resumable` (failed, or provisioning
 * past its run's lease) and `leased` (a run may still hold them, until `resumableAt`).
 */
export async function findStuckSeedTenants(db: Db, now: Date) {
  const stuck = await listTenantsAwaitingOnboardingCreatedBy(db, SEED_REQUEST_ID)
  const resumable: Tenant[] = []
  const leased: Tenant[] = []
  let resumableAt: Date | null = null
  for (const tenant of stuck) {
    const retry = onboardingRetry(tenant, now)
    if (retry?.available) {
      resumable.push(tenant)
      continue
    }
    leased.push(tenant)
    if (retry?.availableAt && (!resumableAt || retry.availableAt > resumableAt))
      resumableAt = retry.availableAt
  }
  return { resumable, leased, resumableAt }
}

/** One tenant through the whole pipeline, then its files, activity and maybe suspension. */
async function onboardAndPopulate(
  db: Db,
  context: AuditContext,
  tenant: Tenant,
  suspend: boolean,
  options: Pick<DemoFleetOptions, 'tenantMigrationDirs'>,
): Promise<TenantOutcome> {
  const outcome = await runOnboarding(db, context, tenant.id, {
    tenantMigrationDirs: options.tenantMigrationDirs,
  })
  if (!outcome.ok) throw new Error(`tenant ${tenant.slug} ${describeOnboardingFailure(outcome)}`)
  const populated = await populateTenant(db, tenant, suspend)
  if (suspend) await changeTenantStatus(db, context, tenant.id, 'suspend')
  return { suspended: suspend, ...populated }
}

/** createTenantRecord with a fresh tenant, drawing another one while the slug is taken. */
async function createUniqueTenant(
  db: Db,
  context: AuditContext,
  ownerIndex: number,
): Promise<Tenant> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const result = await createTenantRecord(db, context, generateTenant(ownerIndex))
    if (result.ok) return result.tenant
  }
  throw new Error('no free slug found in 10 attempts')
}

function generateTenant(ownerIndex: number): NewTenant {
  const name = faker.company.name()
  const stem = slugifyCompany(name)
  const admin = poolPerson(ownerIndex)
  return {
    slug: `${stem}-${faker.string.alphanumeric({ length: 4, casing: 'lower' })}`,
    name,
    planId: faker.helpers.weightedArrayElement([
      { weight: 55, value: 'free' },
      { weight: 35, value: 'professional' },
      { weight: 10, value: 'enterprise' },
    ]),
    billingEmail: `billing@${stem}.${faker.internet.domainSuffix()}`,
    firstAdminEmail: admin.email,
    firstAdminName: admin.name,
  }
}

/**
 * "O'Conner, Boehm and Kuvalis" → "oconner-boehm-and-kuvalis": a letter first, at most 30
 * characters, so with "-" and a 4-character suffix it fits ^[a-z][a-z0-9-]{1,38}$.
 */
export function slugifyCompany(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}|['’]/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 30)
    .replace(/^[^a-z]+|-+$/g, '')
  return slug.length >= 2 ? slug : 'company'
}

/**
 * Attachments, then last activity and a creation date 100–1,000 days back (a customer of months
 * or years, older than the 90 days of sign-in history its members get). The attachments (tenant
 * schema) and the dates (public) are two transactions: none writes both sides (issue 13 item 4).
 */
async function populateTenant(db: Db, tenant: Tenant, suspended: boolean) {
  const files = Array.from({ length: faker.number.int({ min: 0, max: 20 }) }, generateAttachment)
  const createdAt = new Date(Date.now() - faker.number.int({ min: 100, max: 1000 }) * DAY_MS)
  await db.transaction().execute((trx) => insertAttachments(trx, tenant.slug, files))
  const lastActivity = suspended
    ? faker.date.between({ from: Date.now() - 90 * DAY_MS, to: Date.now() - 20 * DAY_MS })
    : faker.date.recent({ days: 7 })
  await db.transaction().execute(async (trx) => {
    await backdateTenantCreation(trx, tenant.id, createdAt)
    await setTenantLastActivity(trx, tenant.id, lastActivity)
  })
  return { attachments: files.length, createdAt }
}

const KB = 1024
const MB = 1024 * KB

/** What a SaaS tenant uploads: a name, its MIME type and a size range in bytes (1 KB–50 MB). */
const FILE_KINDS = [
  {
    type: 'application/pdf',
    min: 20 * KB,
    max: 20 * MB,
    name: () => `invoice-${year()}-${digits(4)}.pdf`,
  },
  {
    type: 'application/pdf',
    min: 50 * KB,
    max: 10 * MB,
    name: () => `contract-${lettersOnly(faker.person.lastName())}.pdf`,
  },
  { type: 'image/png', min: 20 * KB, max: 5 * MB, name: () => `screenshot-${isoDay()}.png` },
  { type: 'image/jpeg', min: 200 * KB, max: 12 * MB, name: () => `IMG_${digits(4)}.jpg` },
  { type: 'text/csv', min: 1 * KB, max: 5 * MB, name: () => `export-${isoDay()}.csv` },
  {
    type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    min: 10 * KB,
    max: 8 * MB,
    name: () => `${faker.word.noun()}-report-q${faker.number.int({ min: 1, max: 4 })}.xlsx`,
  },
  {
    type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    min: 15 * KB,
    max: 6 * MB,
    name: () => `${faker.word.noun()}-proposal.docx`,
  },
  {
    type: 'application/zip',
    min: 1 * MB,
    max: 50 * MB,
    name: () => `${faker.word.noun()}-assets.zip`,
  },
  { type: 'video/mp4', min: 5 * MB, max: 50 * MB, name: () => `${faker.word.noun()}-demo.mp4` },
]

function generateAttachment(): NewAttachment {
  const kind = faker.helpers.arrayElement(FILE_KINDS)
  // Log-uniform: most files are small, a few are large, as in real uploads.
  const size = Math.exp(faker.number.float({ min: Math.log(kind.min), max: Math.log(kind.max) }))
  return { fileName: kind.name(), contentType: kind.type, fileSize: Math.round(size) }
}

const year = () => faker.date.recent({ days: 730 }).getFullYear()
const isoDay = () => faker.date.recent({ days: 365 }).toISOString().slice(0, 10)
const digits = (length: number) => faker.string.numeric({ length })
