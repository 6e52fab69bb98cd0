import type { Faker } from '@faker-js/faker'
import { stripeEvent, type StripeEvent } from '../billing/stripe-builders.js'

// What every part of a demo customer's story shares: its seeded rng, the seed's clock and the
// events written so far. Times are Unix seconds, as in Stripe's payloads.

export const MINUTE = 60
export const HOUR = 3_600
export const DAY = 86_400

/** A customer's story being written: its rng (seeded per customer), the clock and its events. */
export type StoryContext = {
  r: Faker
  /** The seed's "now", Unix seconds: no event is created after it. */
  now: number
  customer: string
  events: StripeEvent[]
  invoices: { prefix: string; count: number }
  paid: { id: string; amount: number; currency: string; paidAt: number }[]
}

/** A Stripe-like id from the story's rng, so a seed gives the same ids every run. */
export function newId(ctx: Pick<StoryContext, 'r'>, prefix: string): string {
  return `${prefix}_${ctx.r.string.alphanumeric(24)}`
}

/** Appends an event built by stripeEvent, with an id of the story's rng. */
export function emit(
  ctx: StoryContext,
  type: string,
  object: StripeEvent['data']['object'],
  created: number,
  previousAttributes?: Record<string, unknown>,
): void {
  ctx.events.push({
    ...stripeEvent(type, object, created, previousAttributes),
    id: newId(ctx, 'evt'),
  })
}
