import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'

/** True for a `YYYY-MM-DD` that names a real day of the proleptic Gregorian calendar. */
export function isCalendarDay(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (!match) return false
  const [year, month, day] = match.slice(1).map(Number)
  const date = new Date(0)
  // setUTCFullYear, not Date.UTC: the latter reads years 0–99 as 1900–1999.
  date.setUTCFullYear(year, month - 1, day)
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  )
}

/**
 * A day filter from a query string: empty or absent is no filter (a date input left blank sends
 * `from=`); anything else must be a real calendar day (`2024-13-45` and `2025-02-30` are refused
 * rather than rolled over or handed to PostgreSQL, which answered them with a 500).
 */
export const calendarDay = z
  .string()
  .optional()
  .transform((v) => v || undefined)
  .refine((v) => v === undefined || isCalendarDay(v), {
    error: 'Enter a real date as YYYY-MM-DD.',
  })

/**
 * Parses `c.req.query()` with `schema`. A query no form of ours sends (a date input only sends
 * real dates) is a malformed request: 400 with each field's message, not a 422 on a form.
 * @throws HTTPException 400 naming the fields and their messages
 */
export function parseQuery<T extends z.ZodType>(c: Context, schema: T): z.output<T> {
  const parsed = schema.safeParse(c.req.query())
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map((i) => `${String(i.path[0] ?? 'query')}: ${i.message}`)
  throw new HTTPException(400, { message: `Malformed request: ${problems.join(' ')}` })
}
