import type { PlanFields } from '../db/plan-writes.js'
import type { Plan } from '../db/plans.js'

// The plan form (issue 9 item 1) between what an operator types and PlanFields: prices in the
// currency's major unit with up to two decimals → integer cents; storage as "500 MB", "1.5 GB"
// or a number of bytes → bytes (binary units, as the console shows them); a blank quota →
// unlimited (null). Parsing is pure so the route, its preview and the tests share it.

/** The form's text fields as typed (a re-rendered form shows them back unchanged). */
export type PlanFormValues = {
  id: string
  name: string
  priceMonthly: string
  priceYearly: string
  currency: string
  maxMembers: string
  maxStorage: string
  maxCustomDomains: string
  maxApiCallsPerDay: string
  isPublic: boolean
  /** Ids of the checked included features. */
  features: string[]
}

export type PlanFormField = Exclude<keyof PlanFormValues, 'isPublic'>
export type PlanFormErrors = Partial<Record<PlanFormField, string>>

export const PLAN_ID_PATTERN = /^[a-z][a-z0-9-]{1,30}$/
const PRICE = /^\d{1,9}(\.\d{1,2})?$/
const COUNT = /^\d{1,15}$/
const STORAGE = /^(\d{1,15}(?:\.\d{1,6})?)\s*(B|KB|MB|GB|TB)?$/i
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const
/** PostgreSQL `integer`, the column type of the members and custom-domain quotas. */
const MAX_INT4 = 2_147_483_647

/** The form's values from posted (or query) fields; `features` from the repeated field. */
export function planFormValues(raw: Record<string, string>, features: string[]): PlanFormValues {
  const text = (k: string) => (raw[k] ?? '').trim()
  return {
    id: text('id'),
    name: text('name'),
    priceMonthly: text('priceMonthly'),
    priceYearly: text('priceYearly'),
    currency: text('currency'),
    maxMembers: text('maxMembers'),
    maxStorage: text('maxStorage'),
    maxCustomDomains: text('maxCustomDomains'),
    maxApiCallsPerDay: text('maxApiCallsPerDay'),
    isPublic: raw.isPublic === 'on',
    features,
  }
}

/** "49.5" → 4950 cents; undefined when it is not a price with at most two decimals. */
export function parsePriceCents(text: string): number | undefined {
  if (!PRICE.test(text)) return undefined
  const [whole, fraction = ''] = text.split('.')
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'))
}

/** "1.5 GB" → 1610612736 bytes (binary units; a bare number is bytes); undefined if not a size. */
export function parseStorageBytes(text: string): number | undefined {
  const match = STORAGE.exec(text)
  if (!match) return undefined
  const unit = UNITS.indexOf((match[2] ?? 'B').toUpperCase() as (typeof UNITS)[number])
  const bytes = Math.round(Number(match[1]) * 1024 ** unit)
  return Number.isSafeInteger(bytes) ? bytes : undefined
}

/** Bytes in the largest binary unit that holds them whole: 524288000 → "500 MB". */
export function storageText(bytes: number): string {
  let unit = 0
  let value = bytes
  while (unit < UNITS.length - 1 && value >= 1024 && value % 1024 === 0) {
    value /= 1024
    unit++
  }
  return `${value} ${UNITS[unit]}`
}

/** 4900 → "49", 4950 → "49.50". */
export function priceText(cents: number): string {
  return cents % 100 === 0 ? String(cents / 100) : (cents / 100).toFixed(2)
}

/** A plan as the edit form starts. */
export function planToFormValues(plan: Plan, features: string[]): PlanFormValues {
  const quota = (n: number | null) => (n === null ? '' : String(n))
  return {
    id: plan.id,
    name: plan.name,
    priceMonthly: priceText(plan.priceCentsMonthly),
    priceYearly: priceText(plan.priceCentsYearly),
    currency: plan.currency.toUpperCase(),
    maxMembers: quota(plan.maxMembers),
    maxStorage: plan.maxStorageBytes === null ? '' : storageText(plan.maxStorageBytes),
    maxCustomDomains: quota(plan.maxCustomDomains),
    maxApiCallsPerDay: quota(plan.maxApiCallsPerDay),
    isPublic: plan.isPublic,
    features,
  }
}

function parseCount(text: string, max: number): number | null | undefined {
  if (text === '') return null
  if (!COUNT.test(text)) return undefined
  const n = Number(text)
  return n <= max ? n : undefined
}

/**
 * Parses the form against the feature ids the form offered. `isNew` checks the id too.
 * @returns the fields to store, or the per-field messages (nothing is stored then)
 */
export function parsePlanForm(
  values: PlanFormValues,
  offeredFeatureIds: string[],
  isNew: boolean,
): { ok: true; fields: PlanFields } | { ok: false; errors: PlanFormErrors } {
  const errors: PlanFormErrors = {}
  if (isNew && !PLAN_ID_PATTERN.test(values.id))
    errors.id = 'Use 2–31 lowercase letters, digits or dashes, starting with a letter.'
  if (values.name === '') errors.name = 'Enter a name.'
  else if (values.name.length > 100) errors.name = 'Use at most 100 characters.'
  const monthly = parsePriceCents(values.priceMonthly)
  const yearly = parsePriceCents(values.priceYearly)
  const priceError = 'Enter a price such as 49 or 49.90 (0 for free).'
  if (monthly === undefined || monthly > MAX_INT4) errors.priceMonthly = priceError
  if (yearly === undefined || yearly > MAX_INT4) errors.priceYearly = priceError
  if (!/^[A-Za-z]{3}$/.test(values.currency))
    errors.currency = 'Enter a three-letter ISO 4217 code such as USD or EUR.'
  const countError = 'Enter a whole number, or leave it blank for unlimited.'
  const maxMembers = parseCount(values.maxMembers, MAX_INT4)
  const maxCustomDomains = parseCount(values.maxCustomDomains, MAX_INT4)
  const maxApiCallsPerDay = parseCount(values.maxApiCallsPerDay, Number.MAX_SAFE_INTEGER)
  if (maxMembers === undefined) errors.maxMembers = countError
  if (maxCustomDomains === undefined) errors.maxCustomDomains = countError
  if (maxApiCallsPerDay === undefined) errors.maxApiCallsPerDay = countError
  const maxStorageBytes = values.maxStorage === '' ? null : parseStorageBytes(values.maxStorage)
  if (maxStorageBytes === undefined)
    errors.maxStorage = 'Enter a size such as 500 MB or 10 GB, or leave it blank for unlimited.'
  if (values.features.some((id) => !offeredFeatureIds.includes(id)))
    errors.features = 'A chosen feature is no longer offered (archived or removed); check again.'
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  return {
    ok: true,
    fields: {
      name: values.name,
      priceCentsMonthly: monthly!,
      priceCentsYearly: yearly!,
      currency: values.currency.toLowerCase(),
      maxMembers: maxMembers!,
      maxStorageBytes: maxStorageBytes!,
      maxCustomDomains: maxCustomDomains!,
      maxApiCallsPerDay: maxApiCallsPerDay!,
      isPublic: values.isPublic,
    },
  }
}
