import { Faker, base, en, faker } from '@faker-js/faker'
import type { AuditContext } from '../db/audit-log.js'
import type { DatabaseHandle, Db } from '../db/database.js'
import { addMemberships } from '../db/memberships.js'
import { listTenantsAwaitingOnboardingCreatedBy } from '../db/onboarding.js'
import type { MembershipRole } from '../db/schema.js'
import { appendTenantAuditEntries } from '../db/tenant-audit-log.js'
import { insertAttachments, type NewAttachment } from '../db/tenant-schema.js'
import { setTenantLastActivity, type Tenant } from '../db/tenants.js'
import { findUsersByEmails, insertMissingUsers, type UserRef } from '../db/users.js'
import { runBounded } from '../jobs/run-bounded.js'
import { changeTenantStatus } from '../tenancy/lifecycle.js'
import {
  createTenantRecord,
  describeOnboardingFailure,
  onboardingRetry,
  runOnboarding,
  type NewTenant,
} from '../tenancy/onboarding.js'
import { refreshStorageSnapshots } from '../tenancy/storage.js'

// The demo fleet behind `npm run seed`. Tenants go through the console's own onboarding
// pipeline (createTenantRecord + runOnboarding), so the audit log shows them as one seed batch,
// and a run interrupted mid-way leaves tenants the next run recognises as its own and resumes.

/** The request id of every audit entry the seed writes: how it finds the tenants it made. */
export const SEED_REQUEST_ID = 'seed'

export type DemoFleetOptions = {
  /** Tenants to add (≥ 0). */
  tenants: number
  /** Size of the global user pool (≥ 1): the same M users on every run, so re-runs reuse them. */
  users: number
  /** Onboardings in flight at once; default 4 on PostgreSQL, 1 on PGlite (one connection). */
  concurrency?: number
  /** Share of the new tenants left suspended, 0–1; default 0.1, rounded to a whole tenant. */
  suspendedShare?: number
  /** Called after each tenant, with how many of `total` are done. */
  onProgress?: (done: number, total: number) => void
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
  attachments: number
  /** Wall time of the tenant pipeline alone, in seconds. */
  pipelineSeconds: number
  /** tenantsCreated / pipelineSeconds. */
  tenantsPerSecond: number
  /** Wall time of the whole run (users, tenants, storage snapshots), in seconds. */
  totalSeconds: number
}

type PoolUser = UserRef
type TenantOutcome = { suspended: boolean; memberships: number; attachments: number }

const USER_BATCH = 1000
const USER_POOL_SEED = 20_261_121
const DAY_MS = 86_400_000

/**
 * Adds a demo fleet: the user pool (bulk inserts, existing emails kept); first the tenants an
 * interrupted earlier seed left onboarding (failed, or provisioning past its run's lease) are
 * onboarded again and populated; then `tenants` new tenants are onboarded `concurrency` at a time, each with 1–50 members besides its owner, 0–20 attachments
 * (1 KB–50 MB) and a recent last_activity_at; `suspendedShare` of them end up suspended. Ends
 * with a storage snapshot of every tenant, on a connection of its own.
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
  const { pool, created } = await seedUserPool(db, options.users)
  const totals = { tenants: 0, suspended: 0, memberships: 0, attachments: 0 }
  const count = (outcome: TenantOutcome) => {
    totals.suspended += Number(outcome.suspended)
    totals.memberships += outcome.memberships
    totals.attachments += outcome.attachments
  }

  const pipelineStarted = performance.now()
  const stuck = await findStuckSeedTenants(db, new Date())
  await runBounded(stuck.resumable, concurrency, async (tenant) =>
    count(await onboardAndPopulate(db, context, pool, tenant, false)),
  )
  const toSuspend = pickSuspended(options.tenants, options.suspendedShare ?? 0.1)
  await runBounded([...Array(options.tenants).keys()], concurrency, async (i) => {
    const tenant = await createUniqueTenant(db, context, pool)
    count(await onboardAndPopulate(db, context, pool, tenant, toSuspend.has(i)))
    totals.tenants++
    options.onProgress?.(totals.tenants, options.tenants)
  })
  const pipelineSeconds = (performance.now() - pipelineStarted) / 1000

  await handle.withDedicatedConnection((own) => refreshStorageSnapshots(own))
  return {
    batchId,
    tenantsResumed: stuck.resumable.length,
    tenantsLeased: stuck.leased.length,
    resumableAt: stuck.resumableAt,
    tenantsCreated: totals.tenants,
    tenantsSuspended: totals.suspended,
    usersCreated: created,
    usersInPool: pool.length,
    memberships: totals.memberships,
    attachments: totals.attachments,
    pipelineSeconds,
    tenantsPerSecond: pipelineSeconds > 0 ? totals.tenants / pipelineSeconds : 0,
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
 * Inserts the pool's users that are missing, USER_BATCH rows per statement, and returns the whole
 * pool with ids. The pool comes from a fixed faker seed, so user i is the same person on every
 * run; emails carry the index, so they are unique. Existing emails are left alone (the unique
 * index is on lower(email)).
 */
export async function seedUserPool(
  db: Db,
  count: number,
): Promise<{ pool: PoolUser[]; created: number }> {
  const people = new Faker({ locale: [en, base], seed: USER_POOL_SEED })
  const pool: PoolUser[] = []
  let created = 0
  for (let start = 0; start < count; start += USER_BATCH) {
    const size = Math.min(USER_BATCH, count - start)
    const rows = Array.from({ length: size }, (_, k) => generatePoolUser(people, start + k))
    created += await insertMissingUsers(db, rows)
    pool.push(
      ...(await findUsersByEmails(
        db,
        rows.map((r) => r.email),
      )),
    )
  }
  return { pool, created }
}

function generatePoolUser(people: Faker, index: number) {
  const firstName = people.person.firstName()
  const lastName = people.person.lastName()
  const domain = people.datatype.boolean(0.6)
    ? people.helpers.arrayElement(people.definitions.internet.free_email)
    : people.internet.domainName()
  const local = `${lettersOnly(firstName)}.${lettersOnly(lastName)}${index + 1}`
  const createdAt = people.date.between({
    from: Date.now() - 730 * DAY_MS,
    to: Date.now() - 30 * DAY_MS,
  })
  const hasLoggedIn = people.datatype.boolean(0.7)
  const lastLogin = people.date.recent({ days: 30 })
  return {
    id: crypto.randomUUID(),
    email: `${local}@${domain}`,
    name: `${firstName} ${lastName}`,
    status: 'active' as const,
    createdAt,
    lastLoginAt: hasLoggedIn ? lastLogin : null,
  }
}

function lettersOnly(value: string): string {
  return (
    value
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z]/g, '') || 'user'
  )
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

/** One tenant through the whole pipeline, then its members, files, activity and maybe suspension. */
async function onboardAndPopulate(
  db: Db,
  context: AuditContext,
  pool: PoolUser[],
  tenant: Tenant,
  suspend: boolean,
): Promise<TenantOutcome> {
  const outcome = await runOnboarding(db, context, tenant.id)
  if (!outcome.ok) throw new Error(`tenant ${tenant.slug} ${describeOnboardingFailure(outcome)}`)
  const added = await populateTenant(db, tenant, pool, suspend)
  if (suspend) await changeTenantStatus(db, context, tenant.id, 'suspend')
  return { suspended: suspend, memberships: 1 + added.memberships, attachments: added.attachments }
}

/** createTenantRecord with a fresh tenant, drawing another one while the slug is taken. */
async function createUniqueTenant(
  db: Db,
  context: AuditContext,
  pool: PoolUser[],
): Promise<Tenant> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const result = await createTenantRecord(db, context, generateTenant(pool))
    if (result.ok) return result.tenant
  }
  throw new Error('no free slug found in 10 attempts')
}

function generateTenant(pool: PoolUser[]): NewTenant {
  const name = faker.company.name()
  const stem = slugifyCompany(name)
  const admin = faker.helpers.arrayElement(pool)
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

/** Members (recorded in the tenant's own audit log), attachments and last activity, at once. */
async function populateTenant(db: Db, tenant: Tenant, pool: PoolUser[], suspended: boolean) {
  const members = pickMembers(pool, tenant.firstAdminEmail, faker.number.int({ min: 1, max: 50 }))
  const files = Array.from({ length: faker.number.int({ min: 0, max: 20 }) }, generateAttachment)
  return db.transaction().execute(async (trx) => {
    const now = new Date()
    const added = new Set(
      await addMemberships(
        trx,
        members.map((m) => ({
          userId: m.user.id,
          tenantId: tenant.id,
          role: m.role,
          createdAt: now,
        })),
      ),
    )
    await appendTenantAuditEntries(
      trx,
      tenant.slug,
      members
        .filter((m) => added.has(m.user.id))
        .map((m) => ({
          actor: 'seed',
          action: 'member.added',
          details: { email: m.user.email, role: m.role },
        })),
    )
    await insertAttachments(trx, tenant.slug, files)
    const lastActivity = suspended
      ? faker.date.between({ from: Date.now() - 90 * DAY_MS, to: Date.now() - 20 * DAY_MS })
      : faker.date.recent({ days: 7 })
    await setTenantLastActivity(trx, tenant.id, lastActivity)
    return { memberships: added.size, attachments: files.length }
  })
}

/** `count` distinct pool users other than the owner (capped by the pool): 85% member, 15% admin. */
function pickMembers(pool: PoolUser[], ownerEmail: string, count: number) {
  const wanted = Math.min(count, pool.length - 1)
  const picked = new Map<string, PoolUser>()
  while (picked.size < wanted) {
    const user = pool[faker.number.int({ min: 0, max: pool.length - 1 })]
    if (user.email !== ownerEmail) picked.set(user.id, user)
  }
  return [...picked.values()].map((user) => ({
    user,
    role: (faker.datatype.boolean(0.15) ? 'admin' : 'member') as MembershipRole,
  }))
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
