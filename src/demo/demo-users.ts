import { Faker, base, en, faker } from '@faker-js/faker'
import type { Db } from '../db/database.js'
import { insertMembershipsInBulk } from '../db/memberships.js'
import type { MembershipRole } from '../db/schema.js'
import { insertUserSignIns, type NewUserSignIn } from '../db/user-sign-ins.js'
import {
  advanceLastLogins,
  findUsersByEmails,
  insertUsersInBulk,
  type NewUser,
  settingsForBulkLoad,
  type UserStatus,
  vacuumPeopleTables,
} from '../db/users.js'

// The demo fleet's tenant users at any scale (`npm run seed`, and `npm run bench -- --users N`):
// generated and written in batches, so a million users never sit in memory at once. Person i of
// the pool is always the same person (a faker reseeded per index), so a re-run finds them again
// and a tenant's first admin can be drawn from the pool before the pool is written.

/** The faker seed of the pool: person i is generated from USER_POOL_SEED + i. */
export const USER_POOL_SEED = 20_261_121
/** Sign-in history reaches back this many days. */
export const HISTORY_DAYS = 90
/** Users written per transaction (with their memberships and sign-ins, ~4 rows each). */
export const USER_BATCH = 5000

const DAY_MS = 86_400_000
const MINUTE_MS = 60_000

/**
 * The most common US first names (SSA, births 1950–2000): 40% of the pool carries one, as real
 * user bases do, so a broad search such as "john" matches thousands of people, not dozens.
 */
const COMMON_FIRST_NAMES = [
  'James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'David',
  'Elizabeth', 'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah',
  'Charles', 'Karen', 'Christopher', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Maria', 'Anthony',
  'Sandra', 'Mark', 'Ashley',
] // prettier-ignore

/** One person of the pool: identity only, the same on every run. */
export type PoolPerson = {
  index: number
  email: string
  name: string
  status: UserStatus
  createdAt: Date
  /** When a disabled user was disabled (not stored: it shapes their refused sign-ins). */
  disabledAt: Date | null
}

const people = new Faker({ locale: [en, base] })

/** Person `index` (≥ 0) of the pool; emails carry index + 1, so they are unique in the pool. */
export function poolPerson(index: number, now = Date.now()): PoolPerson {
  people.seed(USER_POOL_SEED + index)
  const firstName = people.datatype.boolean(0.4)
    ? people.helpers.arrayElement(COMMON_FIRST_NAMES)
    : people.person.firstName()
  const lastName = people.person.lastName()
  const domain = people.datatype.boolean(0.6)
    ? people.helpers.arrayElement(people.definitions.internet.free_email)
    : people.internet.domainName()
  const [first, last] = [lettersOnly(firstName), lettersOnly(lastName)]
  const local = people.helpers.arrayElement([
    `${first}.${last}`,
    `${first}.${last}`,
    `${first[0]}${last}`,
    `${first}_${last}`,
  ])
  const status = people.helpers.weightedArrayElement<UserStatus>([
    { weight: 92, value: 'active' },
    { weight: 5, value: 'invited' },
    { weight: 3, value: 'disabled' },
  ])
  const createdAt = new Date(now - people.number.int({ min: 2 * DAY_MS, max: 730 * DAY_MS }))
  const disabledAt =
    status === 'disabled'
      ? new Date(now - people.number.float({ min: 0, max: 1 }) * (now - createdAt.getTime()) * 0.5)
      : null
  const email = `${local}${index + 1}@${domain}`
  return { index, email, name: `${firstName} ${lastName}`, status, createdAt, disabledAt }
}

export function lettersOnly(value: string): string {
  return (
    value
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z]/g, '') || 'user'
  )
}

/** A pool index whose person is active (first admins are people who can sign in). */
export function pickActivePoolIndex(poolSize: number): number {
  for (;;) {
    const index = faker.number.int({ min: 0, max: poolSize - 1 })
    if (poolSize === 1 || poolPerson(index).status === 'active') return index
  }
}

/** A tenant the pool joins: no membership or sign-in there predates its creation. */
export type PopulationTenant = { id: string; createdAt: Date }

export type UserPopulationOptions = {
  /** Pool size: persons 0 … users − 1. */
  users: number
  /** Tenants the pool's memberships and sign-ins are spread over (none: users only). */
  tenants: PopulationTenant[]
  /** Pool index → tenants that person owns already (their first admin): kept as 'owner'. */
  owners?: Map<number, PopulationTenant[]>
  now?: Date
  batchSize?: number
  /** Called after each batch with how many of `total` users are done. */
  onProgress?: (done: number, total: number) => void
}

export type UserPopulationSummary = {
  usersCreated: number
  memberships: number
  signIns: number
}

/**
 * Writes the pool in batches of `batchSize` users, one transaction each: the users missing
 * (existing emails kept), 1–3 memberships per user over `tenants` (a few large tenants, many
 * small: log-normal weights; roles 2% owner, 10% admin, else member), and a sign-in history over
 * the last HISTORY_DAYS days with `last_login_at` at its newest success. VACUUM ANALYZE at the
 * end.
 */
export async function populateUsers(
  db: Db,
  options: UserPopulationOptions,
): Promise<UserPopulationSummary> {
  const now = options.now ?? new Date()
  const batchSize = options.batchSize ?? USER_BATCH
  const pickTenant = tenantPicker(options.tenants)
  const summary: UserPopulationSummary = { usersCreated: 0, memberships: 0, signIns: 0 }
  for (let start = 0; start < options.users; start += batchSize) {
    const end = Math.min(options.users, start + batchSize)
    const plans: PersonPlan[] = []
    for (let index = start; index < end; index++) {
      const owned = options.owners?.get(index) ?? []
      plans.push(planPerson(poolPerson(index, now.getTime()), owned, pickTenant, now))
    }
    const written = await db.transaction().execute((trx) => writeBatch(trx, plans))
    summary.usersCreated += written.usersCreated
    summary.memberships += written.memberships
    summary.signIns += written.signIns
    options.onProgress?.(end, options.users)
  }
  await vacuumPeopleTables(db)
  return summary
}

type Picker = (() => PopulationTenant) | undefined

type PersonPlan = {
  user: NewUser
  memberships: { tenantId: string; role: MembershipRole; createdAt: Date }[]
  signIns: Omit<NewUserSignIn, 'userId'>[]
}

/** Inserts the batch's users, then their memberships and sign-ins under the ids they got. */
async function writeBatch(trx: Db, plans: PersonPlan[]): Promise<UserPopulationSummary> {
  await settingsForBulkLoad(trx)
  const inserted = await insertUsersInBulk(
    trx,
    plans.map((p) => p.user),
  )
  const ids = new Map(inserted.map((u) => [u.email.toLowerCase(), u.id]))
  const existing = plans.filter((p) => !ids.has(p.user.email.toLowerCase()))
  if (existing.length > 0) {
    const found = await findUsersByEmails(
      trx,
      existing.map((p) => p.user.email),
    )
    for (const u of found) ids.set(u.email.toLowerCase(), u.id)
    // Users already there (first admins, an earlier run) get the new history's newest success.
    await advanceLastLogins(
      trx,
      existing.flatMap((p) =>
        p.user.lastLoginAt ? [{ userId: idOf(ids, p), at: p.user.lastLoginAt }] : [],
      ),
    )
  }
  const memberships = await insertMembershipsInBulk(
    trx,
    plans.flatMap((p) => p.memberships.map((m) => ({ ...m, userId: idOf(ids, p) }))),
  )
  const signIns = await insertUserSignIns(
    trx,
    plans.flatMap((p) => p.signIns.map((s) => ({ ...s, userId: idOf(ids, p) }))),
  )
  return { usersCreated: inserted.length, memberships, signIns }
}

function idOf(ids: Map<string, string>, plan: PersonPlan): string {
  const id = ids.get(plan.user.email.toLowerCase())
  if (!id) throw new Error(`user ${plan.user.email} neither inserted nor found`)
  return id
}

/**
 * A person's row, memberships (owned tenants first; each made within a day after both the person
 * and the tenant existed) and sign-in history (none before the membership it uses).
 */
function planPerson(
  person: PoolPerson,
  owned: PopulationTenant[],
  pickTenant: Picker,
  now: Date,
): PersonPlan {
  const tenants = chooseTenants(owned, pickTenant)
  const memberships = tenants.map((tenant, i) => {
    const from = Math.max(person.createdAt.getTime(), tenant.createdAt.getTime())
    const createdAt = new Date(Math.min(from + Math.random() * DAY_MS, now.getTime()))
    const role = i < owned.length ? ('owner' as const) : randomRole()
    return { tenantId: tenant.id, role, createdAt }
  })
  const signIns =
    person.status === 'invited' || memberships.length === 0
      ? []
      : signInHistory(person, memberships, now.getTime())
  const successes = signIns.filter((s) => s.outcome === 'succeeded')
  const lastLoginAt = successes.length > 0 ? successes[successes.length - 1].at : null
  const { email, name, status, createdAt } = person
  return {
    user: { id: crypto.randomUUID(), email, name, status, createdAt, lastLoginAt },
    memberships,
    signIns,
  }
}

/** The owned tenants, topped up to 1–3 distinct tenants (60% one, 28% two, 12% three). */
function chooseTenants(owned: PopulationTenant[], pickTenant: Picker): PopulationTenant[] {
  const chosen = new Set(owned)
  if (!pickTenant) return [...chosen]
  const wanted = faker.helpers.weightedArrayElement([
    { weight: 60, value: 1 },
    { weight: 28, value: 2 },
    { weight: 12, value: 3 },
  ])
  for (let attempt = 0; chosen.size < wanted && attempt < 20; attempt++) chosen.add(pickTenant())
  return [...chosen]
}

function randomRole(): MembershipRole {
  const r = Math.random()
  return r < 0.02 ? 'owner' : r < 0.12 ? 'admin' : 'member'
}

/**
 * A tenant drawn with log-normal weights (σ = 1): like a real fleet, a few tenants are many
 * times the median size. Undefined when there are no tenants.
 */
function tenantPicker(tenants: PopulationTenant[]): Picker {
  if (tenants.length === 0) return undefined
  const cumulative: number[] = []
  let total = 0
  for (let i = 0; i < tenants.length; i++) {
    total += Math.exp(gaussian())
    cumulative.push(total)
  }
  return () => {
    const target = Math.random() * total
    let [lo, hi] = [0, cumulative.length - 1]
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cumulative[mid] < target) lo = mid + 1
      else hi = mid
    }
    return tenants[lo]
  }
}

function gaussian(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random())
}

type Device = { ip: string; userAgent: string }

/**
 * A few sign-ins in the HISTORY_DAYS days before `to` (ms), none before the membership it uses,
 * oldest first, from one or two devices: 12% of
 * active users have none; ~10% of attempts fail ('wrong password', often followed by a success
 * minutes later), ~3% are refused by policy; a disabled user's attempts after the disablement are
 * refused ('user disabled').
 */
function signInHistory(
  person: PoolPerson,
  memberships: { tenantId: string; createdAt: Date }[],
  to: number,
): Omit<NewUserSignIn, 'userId'>[] {
  const count =
    person.status === 'disabled'
      ? faker.number.int({ min: 1, max: 4 })
      : faker.helpers.weightedArrayElement([
          { weight: 12, value: 0 },
          { weight: 18, value: 1 },
          { weight: 22, value: 2 },
          { weight: 18, value: 3 },
          { weight: 12, value: 4 },
          { weight: 8, value: 5 },
          { weight: 6, value: 6 },
          { weight: 4, value: 8 },
        ])
  const devices = [device(), ...(Math.random() < 0.4 ? [device()] : [])]
  const history: Omit<NewUserSignIn, 'userId'>[] = []
  for (let i = 0; i < count; i++) {
    const { tenantId, createdAt } = memberships[Math.floor(Math.random() * memberships.length)]
    const from = Math.max(to - HISTORY_DAYS * DAY_MS, createdAt.getTime())
    const at = from + Math.random() * (to - from)
    const own = devices[Math.floor(Math.random() * devices.length)]
    const attempt = { tenantId, at: new Date(at), ...own }
    if (person.disabledAt && at > person.disabledAt.getTime()) {
      history.push({ ...attempt, outcome: 'refused', detail: 'user disabled' })
      continue
    }
    const r = Math.random()
    if (r < 0.1) {
      const stranger = Math.random() < 0.3
      history.push({
        ...attempt,
        ...(stranger ? device() : {}),
        outcome: 'failed',
        detail: 'wrong password',
      })
      const retry = at + faker.number.int({ min: 1, max: 5 }) * MINUTE_MS
      if (!stranger && Math.random() < 0.6 && retry < to)
        history.push({ ...attempt, at: new Date(retry), outcome: 'succeeded', detail: null })
    } else if (r < 0.13) {
      const detail = faker.helpers.arrayElement(REFUSALS)
      history.push({ ...attempt, outcome: 'refused', detail })
    } else history.push({ ...attempt, outcome: 'succeeded', detail: null })
  }
  return history.sort((a, b) => a.at.getTime() - b.at.getTime())
}

const REFUSALS = ['IP address not on the tenant allowlist', 'too many failed attempts']

let userAgents: string[] | undefined

/** An IP (12% IPv6) and a browser, from a pool of 200 user agents faker makes once. */
function device(): Device {
  userAgents ??= Array.from({ length: 200 }, () => faker.internet.userAgent())
  return {
    ip: Math.random() < 0.12 ? faker.internet.ipv6() : faker.internet.ipv4(),
    userAgent: userAgents[Math.floor(Math.random() * userAgents.length)],
  }
}
