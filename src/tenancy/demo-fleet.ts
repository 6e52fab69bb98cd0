import { Faker, base, en, faker } from '@faker-js/faker'
import { sql, type Kysely } from 'kysely'
import type { AuditContext } from '../db/audit-log.js'
import type { DatabaseHandle, Db } from '../db/database.js'
import type { MembershipRole } from '../db/schema.js'
import { tenantSchemaName, type Tenant } from '../db/tenants.js'
import { changeTenantStatus } from './lifecycle.js'
import {
  createTenantRecord,
  describeOnboardingFailure,
  runOnboarding,
  type NewTenant,
} from './onboarding.js'
import { refreshStorageSnapshots } from './storage.js'

// The demo fleet behind `npm run seed`. Tenants go through the console's own pipeline
// (createTenantRecord + runOnboarding), so the audit log shows them as one seed batch.

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

type PoolUser = { id: string; email: string; name: string }
type TenantOutcome = { suspended: boolean; memberships: number; attachments: number }

/** Tenant tables the seed writes into, reached through `withSchema(<tenant schema>)`. */
type SeedTenantTables = {
  attachments: { file_name: string; content_type: string; file_size: number }
  audit_log: { actor: string; action: string; details: string }
}

const USER_BATCH = 1000
const USER_POOL_SEED = 20_261_121
const DAY_MS = 86_400_000

/**
 * Adds a demo fleet: the user pool (bulk inserts, existing emails kept), then `tenants` tenants
 * onboarded `concurrency` at a time, each with 1–50 members besides its owner, 0–20 attachments
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
  const context: AuditContext = { actor: null, requestId: 'seed', batchId }
  const { pool, created } = await seedUserPool(db, options.users)

  const toSuspend = pickSuspended(options.tenants, options.suspendedShare ?? 0.1)
  const totals = { tenants: 0, suspended: 0, memberships: 0, attachments: 0 }
  const pipelineStarted = performance.now()
  await runBounded(
    options.tenants,
    options.concurrency ?? defaultConcurrency(handle),
    async (i) => {
      const outcome = await seedTenant(db, context, pool, toSuspend.has(i))
      totals.tenants++
      totals.suspended += Number(outcome.suspended)
      totals.memberships += outcome.memberships
      totals.attachments += outcome.attachments
      options.onProgress?.(totals.tenants, options.tenants)
    },
  )
  const pipelineSeconds = (performance.now() - pipelineStarted) / 1000

  await handle.withDedicatedConnection((own) => refreshStorageSnapshots(own))
  return {
    batchId,
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
 * Runs `work(0)` … `work(count - 1)` with at most `concurrency` in flight. After a failure no new
 * item starts; the ones in flight finish, then the first error is thrown.
 */
export async function runBounded(
  count: number,
  concurrency: number,
  work: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0
  let failure: { error: unknown } | undefined
  const worker = async () => {
    while (!failure && next < count) {
      const index = next++
      try {
        await work(index)
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker))
  if (failure) throw failure.error
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
    const result = await db
      .insertInto('users')
      .values(rows)
      .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
      .executeTakeFirst()
    created += Number(result.numInsertedOrUpdatedRows ?? 0)
    const found = await db
      .selectFrom('users')
      .select(['id', 'email', 'name'])
      .where(
        sql<string>`lower(email)`,
        'in',
        rows.map((r) => r.email.toLowerCase()),
      )
      .execute()
    pool.push(...found)
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
    created_at: createdAt,
    last_login_at: hasLoggedIn ? lastLogin : null,
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

/** One tenant through the whole pipeline, then its members, files, activity and maybe suspension. */
async function seedTenant(
  db: Db,
  context: AuditContext,
  pool: PoolUser[],
  suspend: boolean,
): Promise<TenantOutcome> {
  const tenant = await createUniqueTenant(db, context, pool)
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
    const tdb = (trx as unknown as Kysely<SeedTenantTables>).withSchema(
      tenantSchemaName(tenant.slug),
    )
    const now = new Date()
    const added = await trx
      .insertInto('memberships')
      .values(
        members.map((m) => ({
          user_id: m.user.id,
          tenant_id: tenant.id,
          role: m.role,
          created_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doNothing())
      .returning('user_id')
      .execute()
    const addedIds = new Set(added.map((a) => a.user_id))
    const entries = members
      .filter((m) => addedIds.has(m.user.id))
      .map((m) => ({
        actor: 'seed',
        action: 'member.added',
        details: JSON.stringify({ email: m.user.email, role: m.role }),
      }))
    if (entries.length > 0) await tdb.insertInto('audit_log').values(entries).execute()
    if (files.length > 0) await tdb.insertInto('attachments').values(files).execute()
    const lastActivity = suspended
      ? faker.date.between({ from: Date.now() - 90 * DAY_MS, to: Date.now() - 20 * DAY_MS })
      : faker.date.recent({ days: 7 })
    await trx
      .updateTable('tenants')
      .set({ last_activity_at: lastActivity })
      .where('id', '=', tenant.id)
      .execute()
    return { memberships: added.length, attachments: files.length }
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

function generateAttachment() {
  const kind = faker.helpers.arrayElement(FILE_KINDS)
  // Log-uniform: most files are small, a few are large, as in real uploads.
  const size = Math.exp(faker.number.float({ min: Math.log(kind.min), max: Math.log(kind.max) }))
  return { file_name: kind.name(), content_type: kind.type, file_size: Math.round(size) }
}

const year = () => faker.date.recent({ days: 730 }).getFullYear()
const isoDay = () => faker.date.recent({ days: 365 }).toISOString().slice(0, 10)
const digits = (length: number) => faker.string.numeric({ length })
