import { z } from 'zod'
import type { Db } from '../db/database.js'
import { findFlagByKey, type FeatureFlag } from '../db/flags.js'
import type { Plan } from '../db/plans.js'
import { TENANT_HEALTHS, type FlagValue } from '../db/schema.js'
import { TENANT_STATUSES, type TenantFilter } from '../db/tenants.js'
import { isCalendarDay } from '../web/query.js'

// The tenants-list filter as an address (`/tenants?…`) and as a bulk batch's stored filter
// (issue 9 item 4): the list, the preview and the apply all read it through here, so the tenants
// a batch changes are the ones the operator saw listed.

/** The filter as typed: strings, so a bad value is shown back next to its field. */
export const filterQuery = z.object({
  q: z.string().trim().max(100).catch(''),
  status: z.enum(TENANT_STATUSES).or(z.literal('')).catch(''),
  plan: z.string().trim().max(40).catch(''),
  from: z.string().trim().max(40).catch(''),
  to: z.string().trim().max(40).catch(''),
  /** A flag key; with `flag_state`, tenants whose resolved value is that state. */
  flag: z.string().trim().max(63).catch(''),
  /** `on` | `off` for a boolean flag, a variant for a string flag. */
  flag_state: z.string().trim().max(100).catch(''),
  /** The latest health check's verdict (issue 11 item 2). */
  health: z.enum(TENANT_HEALTHS).or(z.literal('')).catch(''),
})

export type FilterQuery = z.output<typeof filterQuery>

/** Messages for fields that could not be used; the list says so and leaves them out. */
export type FilterErrors = Partial<Record<'from' | 'to' | 'flag' | 'flag_state', string>>

const DAY_MS = 24 * 3600_000

/** Midnight UTC of a `YYYY-MM-DD` day that exists (not 2024-13-45 nor 2023-02-29), or undefined. */
function parseDay(value: string): Date | undefined {
  return isCalendarDay(value) ? new Date(`${value}T00:00:00Z`) : undefined
}

/**
 * The created range: `from` inclusive, `to` inclusive (so before the next day), in UTC. A date
 * that does not exist, or a range that ends before it starts, is not used and gets a message.
 */
function createdRange(query: FilterQuery) {
  const errors: FilterErrors = {}
  const start = query.from ? parseDay(query.from) : undefined
  const end = query.to ? parseDay(query.to) : undefined
  if (query.from && !start) errors.from = `“${query.from}” is not a date; use YYYY-MM-DD.`
  if (query.to && !end) errors.to = `“${query.to}” is not a date; use YYYY-MM-DD.`
  if (start && end && end < start) errors.to = 'The end of the range is before its start.'
  if (errors.to || errors.from) return { errors }
  return { errors, createdFrom: start, createdBefore: end && new Date(end.getTime() + DAY_MS) }
}

/** The value a flag state names: `on`/`off` for a boolean flag, a listed variant otherwise. */
export function flagStateValue(flag: FeatureFlag, state: string): FlagValue | undefined {
  if (flag.type === 'boolean') return state === 'on' ? true : state === 'off' ? false : undefined
  return flag.variants.includes(state) ? state : undefined
}

/** How a flag value reads: on/off for booleans, the variant otherwise. */
export function flagValueText(value: FlagValue | null | undefined): string {
  if (value === true) return 'on'
  if (value === false) return 'off'
  return value ?? 'none'
}

async function flagCondition(db: Db, query: FilterQuery) {
  if (!query.flag && !query.flag_state) return {}
  if (!query.flag) return { errors: { flag: 'Choose a flag for the flag state.' } }
  const flag = await findFlagByKey(db, query.flag)
  if (!flag) return { errors: { flag: `No flag has the key “${query.flag}”.` } }
  if (!query.flag_state) return { errors: { flag_state: 'Choose a state of the flag.' } }
  const value = flagStateValue(flag, query.flag_state)
  if (value === undefined)
    return { errors: { flag_state: `“${query.flag_state}” is not a state of ${flag.key}.` } }
  return { flagState: { flag, value } }
}

/**
 * The typed filter as `listTenants` takes it, with a message for each field that could not be
 * used (left out of the filter). Reads the flag only when a flag state is asked for (two
 * statements), so the plain tenants list keeps its statement count.
 */
export async function toTenantFilter(
  db: Db,
  query: FilterQuery,
): Promise<{ filter: TenantFilter; errors: FilterErrors }> {
  const range = createdRange(query)
  const flag = await flagCondition(db, query)
  return {
    filter: {
      q: query.q,
      status: query.status || undefined,
      planId: query.plan || undefined,
      createdFrom: range.createdFrom,
      createdBefore: range.createdBefore,
      flagState: flag.flagState,
      health: query.health || undefined,
    },
    errors: { ...range.errors, ...flag.errors },
  }
}

/** The query string of a filter (defaults left out), for links between the list and a batch. */
export function filterParams(query: Partial<FilterQuery>): URLSearchParams {
  const params = new URLSearchParams()
  for (const key of ['q', 'status', 'plan', 'from', 'to', 'flag', 'flag_state', 'health'] as const)
    if (query[key]) params.set(key, query[key])
  return params
}

/** The filter in words: "active tenants on Free, created before 2026-06-01, matching “acme”". */
export function describeFilter(query: FilterQuery, plans: Plan[]): string {
  const planName = plans.find((p) => p.id === query.plan)?.name ?? query.plan
  const parts = [
    `${query.status ? `${query.status} tenants` : 'all tenants but deleted ones'}`,
    query.plan && `on ${planName}`,
    query.from && query.to
      ? `created from ${query.from} to ${query.to}`
      : query.from
        ? `created on or after ${query.from}`
        : query.to && `created on or before ${query.to}`,
    query.q && `matching “${query.q}”`,
    query.flag && query.flag_state && `with ${query.flag} ${query.flag_state}`,
    query.health && `whose schema health is ${query.health}`,
  ].filter(Boolean)
  return parts.join(', ')
}
