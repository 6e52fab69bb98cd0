import { createHash } from 'node:crypto'
import { Faker, base, en } from '@faker-js/faker'
import type { StripeEvent } from '../billing/stripe-builders.js'
import type { Tenant } from '../db/tenants.js'
import { DAY, HOUR, type StoryContext } from './demo-billing-context.js'
import type { DemoPlan } from './demo-billing-prices.js'
import { planScenario, type Scenario } from './demo-billing-scenarios.js'
import { writeCustomerStory, type CustomerStory } from './demo-billing-story.js'

// The demo fleet's Stripe history (issue 12 item 6), pure: tenants in, the events Stripe would
// have sent over the last `months` out, in `created` order. The mix is by quota, not by chance,
// so even 20 tenants show every line of /billing: about 85 % of tenants are customers (most
// matched by metadata.tenant_id, a few by billing email), paid plans pay (some after a trial,
// some with seat changes or an upgrade), some trial, some are past due (1–10 days), some came
// back after canceling or are leaving; some Free tenants once paid and churned (one this month);
// and 2–3 customers match no tenant. Each customer's rng is seeded from the seed and its tenant
// id, so a seed gives the same events, and a later run for new tenants never reuses an id.

export type DemoBillingTenant = Pick<Tenant, 'id' | 'name' | 'planId' | 'billingEmail'>

export type DemoBillingOptions = {
  /** The end of the history: no event is created after it. */
  now: Date
  /** How far back subscriptions start, in months (≥ 4); default 12. */
  months?: number
  /** The faker seed; the same seed and tenants give the same events. Default 20261201. */
  seed?: number
}

export const DEMO_BILLING_SEED = 20_261_201

/** Stripe-shaped events for `tenants`, oldest first (ties keep the order they happened in). */
export function generateDemoBillingEvents(
  tenants: readonly DemoBillingTenant[],
  options: DemoBillingOptions,
): StripeEvent[] {
  const months = options.months ?? 12
  if (!Number.isInteger(months) || months < 4)
    throw new RangeError('months must be a whole number ≥ 4')
  if (tenants.length === 0) return []
  const seed = options.seed ?? DEMO_BILLING_SEED
  const now = Math.floor(options.now.getTime() / 1000)
  const run = seededFaker(
    seed,
    tenants
      .map((t) => t.id)
      .sort()
      .join(','),
  )
  const events: StripeEvent[] = []
  const cast = castTenants(run, seed, tenants)
  for (const { tenant, scenario, byEmail, refund } of cast) {
    const ctx = newStory(seededFaker(seed, tenant.id), now)
    const plan: DemoPlan = tenant.planId === 'enterprise' ? 'enterprise' : 'professional'
    const subscriptions = planScenario({ r: ctx.r, now, months, plan }, scenario)
    events.push(
      ...writeCustomerStory(ctx, {
        email: tenant.billingEmail,
        name: tenant.name,
        tenantId: byEmail ? undefined : tenant.id,
        createdAt: customerSince(ctx, subscriptions, months),
        subscriptions,
        refund,
      }),
    )
  }
  const strangers = cast.length >= 4 ? run.number.int({ min: 2, max: 3 }) : 0
  for (let i = 0; i < strangers; i++) events.push(...strangerEvents(run, seed, now, months, i))
  return sortByCreated(events)
}

type Cast = {
  tenant: DemoBillingTenant
  scenario: Scenario
  byEmail: boolean
  refund?: 'full' | 'partial'
}

/** Who is a customer (85 %), matched how, and what happened to them — by quota. */
function castTenants(run: Faker, seed: number, tenants: readonly DemoBillingTenant[]): Cast[] {
  // Whether a tenant is a customer is its own draw: a later run over the tenants left without
  // billing finds the same answer, and adds nothing for them.
  const customers = run.helpers
    .shuffle([...tenants])
    .filter((t) => seededFaker(seed, `customer:${t.id}`).datatype.boolean(0.85))
  const paid = customers.filter((t) => t.planId !== 'free')
  const free = customers.filter((t) => t.planId === 'free')
  const quota = (n: number, share: number) => Math.max(1, Math.round(n * share))
  const paidScenarios: Scenario[] = [
    ...Array.from(
      { length: paid.length >= 5 ? Math.max(2, Math.round(paid.length * 0.12)) : 1 },
      (_, i) => ({
        kind: 'past-due' as const,
        failedDaysAgo: pastDueDays(run, i),
      }),
    ),
    ...Array.from({ length: quota(paid.length, 0.08) }, () => ({ kind: 'trialing' as const })),
    ...Array.from({ length: quota(paid.length, 0.05) }, () => ({ kind: 'reactivated' as const })),
    ...Array.from({ length: quota(paid.length, 0.05) }, () => ({
      kind: 'cancel-pending' as const,
    })),
    { kind: 'paying', seats: 'expand' },
    { kind: 'paying', seats: 'contract' },
  ]
  const freeScenarios: Scenario[] = [
    { kind: 'churned', thisMonth: true },
    ...Array.from({ length: Math.round(free.length * 0.35) }, () => ({
      kind: 'churned' as const,
      thisMonth: false,
    })),
  ]
  const cast = [
    ...paid.map((tenant, i) => ({
      tenant,
      scenario: paidScenarios[i] ?? { kind: 'paying' as const },
    })),
    ...free.map((tenant, i) => ({
      tenant,
      scenario: freeScenarios[i] ?? { kind: 'customer-only' as const },
    })),
  ]
  const byEmail = quota(cast.length, 0.1)
  // Matched by email: the first few of an order independent of the scenarios.
  const emailOnly = new Set(run.helpers.shuffle(cast.map((c) => c.tenant.id)).slice(0, byEmail))
  // A couple of refunds, on the first two customers who simply pay.
  const refunds = cast.filter((c) => c.scenario.kind === 'paying').slice(0, 2)
  return cast.map((c) => ({
    ...c,
    byEmail: emailOnly.has(c.tenant.id),
    refund: refunds[0] === c ? 'full' : refunds[1] === c ? 'partial' : undefined,
  }))
}

/** The first past-due tenant failed 2–5 days ago (days left), the second 8–10 (suggest suspend). */
function pastDueDays(run: Faker, index: number): number {
  if (index === 0) return run.number.int({ min: 2, max: 5 })
  if (index === 1) return run.number.int({ min: 8, max: 10 })
  return run.number.int({ min: 1, max: 10 })
}

/** A customer of no tenant: its email and metadata name nobody, so /billing lists it unmatched. */
function strangerEvents(
  run: Faker,
  seed: number,
  now: number,
  months: number,
  i: number,
): StripeEvent[] {
  const ctx = newStory(seededFaker(seed, `stranger:${run.string.alphanumeric(16)}:${i}`), now)
  const subscriptions = planScenario(
    { r: ctx.r, now, months, plan: 'professional' },
    { kind: 'paying' },
  )
  const word = ctx.r.internet.domainWord()
  return writeCustomerStory(ctx, {
    email: `accounts@${word}.example.net`,
    name: ctx.r.company.name(),
    createdAt: customerSince(ctx, subscriptions, months),
    subscriptions,
  })
}

function newStory(r: Faker, now: number): StoryContext {
  return {
    r,
    now,
    customer: `cus_${r.string.alphanumeric(14)}`,
    events: [],
    invoices: { prefix: r.string.alphanumeric({ length: 8, casing: 'upper' }), count: 0 },
    paid: [],
  }
}

/** A customer exists a little before its first subscription (or any time, without one). */
function customerSince(
  ctx: StoryContext,
  subscriptions: CustomerStory['subscriptions'],
  months: number,
): number {
  const first = subscriptions[0]
  if (!first) return ctx.now - ctx.r.number.int({ min: 1, max: months * 30 }) * DAY
  const start = first.trial ? first.firstPeriod - 14 * DAY : first.firstPeriod
  return start - ctx.r.number.int({ min: 1, max: 6 }) * HOUR
}

function seededFaker(seed: number, key: string): Faker {
  const digest = createHash('sha256').update(`${seed}:${key}`).digest()
  return new Faker({ locale: [en, base], seed: digest.readUInt32BE(0) })
}

function sortByCreated(events: StripeEvent[]): StripeEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.created - b.e.created || a.i - b.i)
    .map(({ e }) => e)
}
