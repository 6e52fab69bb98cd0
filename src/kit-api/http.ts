import { createHash } from 'node:crypto'
import type { Context } from 'hono'
import { z } from 'zod'
import type { Membership } from '../db/memberships.js'
import type { KitEnv } from './auth.js'
import { KitRefusal } from './errors.js'

// What every kit API handler shares: JSON bodies read and checked the same way, answers the kit
// can revalidate (ETag / If-None-Match), and the member as the protocol spells it.

/**
 * The request's JSON body checked against `schema`.
 * @throws KitRefusal 400 `invalid_request` when the body is not JSON (or not sent as JSON);
 *   422 `invalid_input` with `errors: [{ path, message }]` when it is JSON with bad values
 */
export async function readJson<S extends z.ZodType>(
  c: Context<KitEnv>,
  schema: S,
): Promise<z.output<S>> {
  if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
    throw new KitRefusal(400, 'invalid_request', 'Send the body as JSON (application/json).')
  }
  let body: unknown
  try {
    body = await c.req.json()
  } catch {
    throw new KitRefusal(400, 'invalid_request', 'The body is not valid JSON.')
  }
  return checked(schema, body)
}

/**
 * `value` parsed by `schema` (query strings, bodies).
 * @throws KitRefusal 422 `invalid_input` with one `{ path, message }` per problem
 */
export function checked<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const errors = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }))
  throw new KitRefusal(422, 'invalid_input', 'Some values are not valid.', { errors })
}

/** A strong validator of a JSON body: its sha256, quoted (RFC 9110 §8.8.3). */
export function entityTag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`
}

/** Does `If-None-Match` name this tag (weak comparison, RFC 9110 §13.1.2), or `*`? */
export function matchesIfNoneMatch(header: string | undefined, tag: string): boolean {
  if (!header) return false
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === tag)
}

/**
 * A 200 JSON answer the kit may keep and revalidate: `ETag` and `Cache-Control: private,
 * no-cache` (any cache must ask again before reuse; no shared cache keeps it), or a 304 without
 * a body when the kit's `If-None-Match` still matches.
 */
export function revalidatableJson(c: Context<KitEnv>, value: unknown): Response {
  const body = JSON.stringify(value)
  const tag = entityTag(body)
  const headers = { ETag: tag, 'Cache-Control': 'private, no-cache' }
  if (matchesIfNoneMatch(c.req.header('if-none-match'), tag)) return c.body(null, 304, headers)
  return c.body(body, 200, { ...headers, 'Content-Type': 'application/json' })
}

/** A membership as the protocol's `member`: status is the user's, role the membership's. */
export function memberView(m: Membership) {
  return { userId: m.userId, email: m.email, name: m.name, status: m.userStatus, role: m.role }
}

/** An email field of a kit request: trimmed, an address, at most 320 characters. */
export const emailField = z
  .string({ error: 'Give an email address.' })
  .trim()
  .pipe(z.email({ error: 'Give a valid email address.' }).max(320, { error: 'Too long.' }))
