import { createApp } from '../app.js'
import type { StripeEvent } from '../billing/stripe-builders.js'
import { deliverStripeEvent, type RequestTarget } from '../billing/stripe-delivery.js'
import type { Config } from '../config.js'
import type { DatabaseHandle } from '../db/database.js'
import { countStripeEvents } from '../db/stripe-events.js'
import {
  DEMO_BILLING_SEED,
  generateDemoBillingEvents,
  type DemoBillingTenant,
} from './demo-billing-events.js'
import { listTenantIdsWithoutBilling } from '../db/demo-billing.js'

// The demo fleet's billing (issue 12 item 6), delivered like Stripe delivers: each event signed
// at delivery time and POSTed to the real /webhooks/stripe, in-process, on an app of its own
// configured with a development secret. The ledger and projection then hold what a real account
// would, so a server started later — with or without a webhook secret — shows it.

/** The signing secret of the demo's deliveries. Development only: never configure it in production. */
export const DEMO_STRIPE_WEBHOOK_SECRET = 'whsec_fleetdeck_demo_development_only'

export type DemoBillingOptions = {
  /** The app's configuration; its webhook secret is replaced by the demo's. */
  config: Config
  /** The end of the history; default the current time. */
  now?: Date
  /** Months of history (≥ 4); default 12. */
  months?: number
  seed?: number
  /** Deliveries in flight (one customer's events never overlap); default 3, 2 on PGlite. */
  concurrency?: number
}

export type DemoBillingSummary = {
  /** Tenants given a billing history now; the others had billing already (or none is drawn). */
  tenants: number
  tenantsSkipped: number
  customers: number
  events: number
  /** Events stored but whose processing failed (stripe_events.error; `billing:reprocess`). */
  failed: number
  /** Wall time of the deliveries, in seconds. */
  seconds: number
}

/**
 * Generates the Stripe history of `tenants` that have no billing yet (generateDemoBillingEvents)
 * and delivers it, oldest first, through POST /webhooks/stripe.
 * @throws when a delivery is not answered 2xx (naming the event and the answer); the events
 *   delivered before it stay, and a re-run skips the tenants they gave billing
 */
export async function seedDemoBilling(
  database: DatabaseHandle,
  tenants: readonly DemoBillingTenant[],
  options: DemoBillingOptions,
): Promise<DemoBillingSummary> {
  const open = await listTenantIdsWithoutBilling(
    database.db,
    tenants.map((t) => t.id),
  )
  const fresh = tenants.filter((t) => open.has(t.id))
  const events = generateDemoBillingEvents(fresh, {
    now: options.now ?? new Date(),
    months: options.months,
    seed: options.seed ?? DEMO_BILLING_SEED,
  })
  const app = createApp({
    config: { ...options.config, stripeWebhookSecret: DEMO_STRIPE_WEBHOOK_SECRET },
    database,
    observe: false,
  })
  // Through the configured public address: an explicit PUBLIC_URL refuses other hosts.
  const target: RequestTarget = {
    request: (path, init) => app.request(new URL(path, options.config.publicUrl).href, init),
  }
  const failedBefore = (await countStripeEvents(database.db)).failed
  const started = performance.now()
  const concurrency = options.concurrency ?? (database.kind === 'postgres' ? 3 : 2)
  await deliverStripeEvents(target, events, { secret: DEMO_STRIPE_WEBHOOK_SECRET, concurrency })
  const seconds = (performance.now() - started) / 1000
  return {
    tenants: fresh.length,
    tenantsSkipped: tenants.length - fresh.length,
    customers: events.filter((e) => e.type === 'customer.created').length,
    events: events.length,
    failed: (await countStripeEvents(database.db)).failed - failedBefore,
    seconds,
  }
}

/**
 * Delivers `events` to `target`'s /webhooks/stripe in their order, each signed with `secret` at the moment it is sent (Stripe
 * signs at delivery; the SDK refuses signatures older than 300 s), `concurrency` at a time, but
 * one customer's events one after another, so the projection sees each customer's in order.
 * @returns each delivery's handling time in milliseconds, in the order of `events`
 * @throws Error on the first answer that is not 2xx
 */
export async function deliverStripeEvents(
  target: RequestTarget,
  events: readonly StripeEvent[],
  options: { secret: string; concurrency: number },
): Promise<number[]> {
  const times = new Array<number>(events.length)
  const lanes = new Map<string, Promise<void>>()
  const inFlight = new Set<Promise<void>>()
  let failure: Error | undefined
  for (const [index, event] of events.entries()) {
    while (inFlight.size >= options.concurrency) await Promise.race(inFlight)
    if (failure) break
    const lane = customerOf(event)
    const task = (lanes.get(lane) ?? Promise.resolve())
      .then(async () => {
        if (failure) return
        const started = performance.now()
        await deliverOne(target, event, options.secret)
        times[index] = performance.now() - started
      })
      .catch((error: Error) => void (failure ??= error))
    const tracked = task.finally(() => inFlight.delete(tracked))
    inFlight.add(tracked)
    lanes.set(lane, task)
  }
  await Promise.all(inFlight)
  if (failure) throw failure
  return times
}

async function deliverOne(target: RequestTarget, event: StripeEvent, secret: string) {
  const response = await deliverStripeEvent(target, event, secret)
  if (response.ok) return void (await response.arrayBuffer())
  const answer = (await response.text()).slice(0, 200)
  throw new Error(`${event.type} ${event.id} was answered ${response.status}: ${answer}`)
}

/** The customer an event is about: its object's `customer`, or the customer itself. */
function customerOf(event: StripeEvent): string {
  const object = event.data.object
  return typeof object.customer === 'string' ? object.customer : object.id
}
