import type { MigrationRunRequest } from './migration-runs.js'

// The fleet migration forms' fields (issue 11 item 4), checked the same way for the console
// and the CLI: whole numbers in range, slugs in the slug shape.

export type MigrationFields = {
  count: string
  slugs: string
  concurrency: string
  stop_after: string
}

export type MigrationFieldErrors = Partial<Record<keyof MigrationFields, string>>

const SLUG = /^[a-z][a-z0-9-]{1,38}$/

function wholeNumber(value: string, min: number, max: number): number | undefined {
  if (!/^\d{1,6}$/.test(value.trim())) return undefined
  const n = Number(value.trim())
  return n >= min && n <= max ? n : undefined
}

/**
 * The run `mode` asks for, or a message per refused field: N a whole number 1–100,000 (unless
 * slugs are given: then each must look like a slug), concurrency 1–8, stop after K empty or
 * 1–100,000.
 */
export function readMigrationFields(
  mode: 'canary' | 'run',
  f: MigrationFields,
): { ok: true; request: MigrationRunRequest } | { ok: false; errors: MigrationFieldErrors } {
  if (mode === 'canary') {
    const slugs = f.slugs
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean)
    if (slugs.length > 0) {
      const bad = slugs.filter((s) => !SLUG.test(s))
      if (bad.length > 0) return { ok: false, errors: { slugs: `Not a slug: ${bad.join(', ')}.` } }
      return { ok: true, request: { mode, slugs: [...new Set(slugs)] } }
    }
    const count = wholeNumber(f.count, 1, 100_000)
    if (count === undefined)
      return { ok: false, errors: { count: 'Enter a whole number of tenants, 1 or more.' } }
    return { ok: true, request: { mode, count } }
  }
  const concurrency = wholeNumber(f.concurrency, 1, 8)
  const stop = f.stop_after.trim() === '' ? null : wholeNumber(f.stop_after, 1, 100_000)
  const errors: MigrationFieldErrors = {}
  if (concurrency === undefined) errors.concurrency = 'Enter a whole number from 1 to 8.'
  if (stop === undefined) errors.stop_after = 'Leave empty, or enter a whole number, 1 or more.'
  if (concurrency === undefined || stop === undefined) return { ok: false, errors }
  return { ok: true, request: { mode, concurrency, stopAfterFailures: stop } }
}
