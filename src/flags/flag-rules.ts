import type { FlagType, FlagValue } from '../db/schema.js'

// What a flag definition may hold (issue 9 item 3), shared by the forms and the domain verbs:
// the key and variant formats, how typed values become flag values, and a flag value in words.

/** A flag key: 2–63 lowercase letters, digits or dashes, starting with a letter (issue 9). */
export const FLAG_KEY_PATTERN = /^[a-z][a-z0-9-]{1,62}$/

/** One variant of a string flag: 1–63 lowercase letters, digits, `_` or `-`. */
export const VARIANT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/

/** More variants than this is a configuration, not a flag. */
export const MAX_VARIANTS = 50

/**
 * The variants typed into a form, comma or newline separated: trimmed, empty ones dropped,
 * duplicates kept once in first-seen order. Does not check their format (`invalidVariants`).
 */
export function parseVariants(text: string): string[] {
  const seen = new Set<string>()
  for (const part of text.split(/[,\n\r]+/)) {
    const v = part.trim()
    if (v) seen.add(v)
  }
  return [...seen]
}

/** The variants that do not match VARIANT_PATTERN. */
export function invalidVariants(variants: string[]): string[] {
  return variants.filter((v) => !VARIANT_PATTERN.test(v))
}

/**
 * A value as a form sends it, for a flag of `type` with `variants`: `on`/`off` (also
 * `true`/`false`, any case) for a boolean flag, a listed variant for a string flag; undefined
 * when it is neither.
 */
export function parseFlagValue(
  flag: { type: FlagType; variants: string[] },
  raw: string,
): FlagValue | undefined {
  const text = raw.trim()
  if (flag.type === 'boolean') {
    const lower = text.toLowerCase()
    if (lower === 'on' || lower === 'true') return true
    if (lower === 'off' || lower === 'false') return false
    return undefined
  }
  return flag.variants.includes(text) ? text : undefined
}

/** A value as forms send it back: `on`/`off` for booleans, the variant itself otherwise. */
export function formValue(value: FlagValue | null | undefined): string {
  if (value === true) return 'on'
  if (value === false) return 'off'
  return value ?? ''
}

/** A value in words: "On", "Off", or the variant. */
export function valueLabel(value: FlagValue | null | undefined): string {
  if (value === true) return 'On'
  if (value === false) return 'Off'
  return value ?? '—'
}

/** The values a flag can take, as form options (`on`/`off` or the variants). */
export function valueOptions(flag: {
  type: FlagType
  variants: string[]
}): { value: string; label: string }[] {
  return flag.type === 'boolean'
    ? [
        { value: 'on', label: 'On' },
        { value: 'off', label: 'Off' },
      ]
    : flag.variants.map((v) => ({ value: v, label: v }))
}
