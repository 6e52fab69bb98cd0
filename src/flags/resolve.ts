import { hash } from 'node:crypto'
import type { FlagType, FlagValue } from '../db/schema.js'

// Feature-flag resolution for one tenant (issue 9 item 3). Pure: the console's "why", the kit
// snapshot and OFREP all come from `resolveFlag`, and the SQL form in src/db/flag-resolution-sql.ts
// is tested to agree with it.
//
// Evaluation order, first match wins:
//   1. archived            → the flag's default               why 'archived'  (OFREP DISABLED)
//   2. a tenant override   → the override's value             why 'override'  (TARGETING_MATCH)
//   3. in the rollout      → the rollout's value              why 'rollout'   (SPLIT)
//      (rollout > 0 %, the tenant's plan among the rollout's plans or no plans named,
//       and rolloutBucket(key, tenant) < percentage × 100)
//   4. a value for the tenant's plan → that value            why 'plan'      (TARGETING_MATCH)
//   5. otherwise           → the flag's default               why 'default'   (DEFAULT, or STATIC
//                                                             when the flag has no rule at all)

/** A flag as resolution needs it. Values are booleans for boolean flags, variants for string ones. */
export type FlagDefinition = {
  key: string
  type: FlagType
  /** The allowed values of a string flag; empty for a boolean flag. */
  variants: string[]
  defaultValue: FlagValue
  /** Whole percent of tenants, 0–100. */
  rolloutPercentage: number
  /** What a tenant in the rollout gets; null only when the percentage is 0. */
  rolloutValue: FlagValue | null
  /** Plans the rollout draws from; empty = every plan. */
  rolloutPlanIds: string[]
  /** plan id → the plan's value (the plan's "included features" for boolean flags). */
  planValues: Record<string, FlagValue>
  archived: boolean
}

/** The tenant a flag is resolved for, and its override of this flag if it has one. */
export type FlagSubject = { tenantId: string; planId: string; override?: FlagValue }

export type FlagWhy = 'archived' | 'override' | 'rollout' | 'plan' | 'default'

export type FlagResolution = { value: FlagValue; why: FlagWhy }

/** Rollout buckets: a tenant is in a p % rollout when its bucket is below p × 100. */
export const ROLLOUT_BUCKETS = 10_000

/**
 * The tenant's stable bucket for this flag, an integer in [0, 10 000): the first four bytes of
 * sha256(`<flagKey>:<tenantId>`) as a big-endian unsigned integer, modulo 10 000. Keyed by the
 * flag so one tenant is not first in every rollout; stable, so raising 10 % → 20 % keeps the
 * first 10 % (the Unleash "stickiness" rule, with sha256 instead of murmur3).
 */
export function rolloutBucket(flagKey: string, tenantId: string): number {
  // One-shot `crypto.hash` (Node ≥ 20.12): a third of createHash's cost for a short input.
  const digest = hash('sha256', `${flagKey}:${tenantId}`, 'buffer')
  return digest.readUInt32BE(0) % ROLLOUT_BUCKETS
}

/** Whether the tenant falls in the flag's percentage rollout (order step 3). */
export function inRollout(flag: FlagDefinition, subject: FlagSubject): boolean {
  if (flag.rolloutPercentage <= 0 || flag.rolloutValue === null) return false
  if (flag.rolloutPlanIds.length > 0 && !flag.rolloutPlanIds.includes(subject.planId)) return false
  return rolloutBucket(flag.key, subject.tenantId) < flag.rolloutPercentage * 100
}

/** The flag's value for the tenant and why, by the order at the top of this file. Never throws. */
export function resolveFlag(flag: FlagDefinition, subject: FlagSubject): FlagResolution {
  if (flag.archived) return { value: flag.defaultValue, why: 'archived' }
  if (subject.override !== undefined) return { value: subject.override, why: 'override' }
  if (inRollout(flag, subject)) return { value: flag.rolloutValue!, why: 'rollout' }
  const planValue = flag.planValues[subject.planId]
  if (planValue !== undefined) return { value: planValue, why: 'plan' }
  return { value: flag.defaultValue, why: 'default' }
}

/** Whether anything but the default can decide this flag for some tenant (OFREP STATIC vs DEFAULT). */
export function hasRules(flag: FlagDefinition, tenantHasOverride: boolean): boolean {
  return (
    tenantHasOverride ||
    (flag.rolloutPercentage > 0 && flag.rolloutValue !== null) ||
    Object.keys(flag.planValues).length > 0
  )
}

/**
 * The OpenFeature resolution reason for a "why" (OFREP spec, evaluation success `reason`):
 * archived → DISABLED, override and plan → TARGETING_MATCH, rollout → SPLIT, default → DEFAULT,
 * or STATIC when the flag has no rule that could have matched.
 */
export function ofrepReason(
  why: FlagWhy,
  ruled: boolean,
): 'DISABLED' | 'TARGETING_MATCH' | 'SPLIT' | 'DEFAULT' | 'STATIC' {
  switch (why) {
    case 'archived':
      return 'DISABLED'
    case 'override':
    case 'plan':
      return 'TARGETING_MATCH'
    case 'rollout':
      return 'SPLIT'
    case 'default':
      return ruled ? 'DEFAULT' : 'STATIC'
  }
}

/** Whether `value` is allowed for `flag`: a boolean for a boolean flag, a listed variant otherwise. */
export function isValidFlagValue(
  flag: Pick<FlagDefinition, 'type' | 'variants'>,
  value: unknown,
): value is FlagValue {
  return flag.type === 'boolean'
    ? typeof value === 'boolean'
    : typeof value === 'string' && flag.variants.includes(value)
}

/** Whether a resolution turns a boolean flag on (what the kit calls `isEnabled`). */
export function isOn(resolution: FlagResolution): boolean {
  return resolution.value === true
}
