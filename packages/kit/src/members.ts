import { conditionalGet, type Cache } from './cache.js'
import { KitError, pathSegment, type Client } from './client.js'
import type { KitMember } from './types.js'

// Checking the signed-in user on every request (PROTOCOL.md "What the tenant app must do" 2):
// a disabled user or one without a membership is refused, within 5 s of the change.

/** The answer for a user of a tenant: the membership, or why the user is refused (403). */
export type MemberCheck =
  { ok: true; member: KitMember } | { ok: false; status: 403; reason: 'disabled' | 'not_a_member' }

/** Whom to check: by Fleetdeck user id, or by email (compared case-insensitively by Fleetdeck). */
export type MemberLookup = { userId: string } | { email: string }

/** A refusal of addMember or submitJoinRequest, with the problem's code and title. */
export type Refused = { ok: false; code: string; message: string; limit?: number; current?: number }

/**
 * Checks `who` against the tenant's memberships (`GET /kit/v1/tenants/:slug/members/:userId` or
 * `?email=`), held at most the cache's TTL (≤ 5 s), revalidated with If-None-Match; "not a member"
 * is held as long. A `disabled` user is refused; `invited` and `active` pass (an invited user who
 * signs in to the app is taking up the invitation).
 * @throws KitError 404 `tenant_not_found` for an unknown tenant; any other refusal of the call
 */
export async function checkMember(
  client: Client,
  cache: Cache<KitMember | null>,
  slug: string,
  who: MemberLookup,
): Promise<MemberCheck> {
  const base = `/kit/v1/tenants/${pathSegment(slug)}/members`
  const [key, path] =
    'userId' in who
      ? [`id:${who.userId}`, `${base}/${pathSegment(who.userId)}`]
      : [`email:${who.email.toLowerCase()}`, `${base}?email=${encodeURIComponent(who.email)}`]
  const { value: member } = await cache.get(`${memberKeyPrefix(slug)}${key}`, async (held) => {
    try {
      return await conditionalGet(
        (headers) => client.call('GET', path, { headers }),
        held,
        (body) => (body as { member: KitMember }).member,
      )
    } catch (error) {
      if (error instanceof KitError && error.code === 'not_a_member') return { value: null }
      throw error
    }
  })
  if (!member) return { ok: false, status: 403, reason: 'not_a_member' }
  if (member.status === 'disabled') return { ok: false, status: 403, reason: 'disabled' }
  return { ok: true, member }
}

/** The cache keys of one tenant's members start with this. */
export function memberKeyPrefix(slug: string): string {
  return `member:${slug}:`
}

/**
 * The tenant's members, ordered by email, at most 500 (`GET /kit/v1/tenants/:slug/members`); not
 * cached: a members page wants them as they are.
 * @throws KitError 404 `tenant_not_found`; any other refusal of the call
 */
export async function listMembers(client: Client, slug: string): Promise<KitMember[]> {
  const body = await client.json<{ members: KitMember[] }>(
    'GET',
    `/kit/v1/tenants/${pathSegment(slug)}/members`,
  )
  return body.members
}

/**
 * Adds a member on behalf of `actorEmail`, an active owner or admin of the tenant
 * (`POST /kit/v1/tenants/:slug/members`); Fleetdeck creates the user when the email is new and
 * audits the addition in both logs.
 * @returns the member, or the refusal: `quota_exceeded` (with `limit` and `current`; seed 002),
 *   `already_member`, `not_allowed`, `tenant_unavailable`, `tenant_not_found`, `invalid_input`
 * @throws KitError when the call itself fails (bad app key, 429, 5xx, unreachable)
 */
export async function addMember(
  client: Client,
  slug: string,
  input: { email: string; name: string; role: 'member' | 'admin'; actorEmail: string },
): Promise<{ ok: true; member: KitMember } | Refused> {
  try {
    const body = await client.json<{ member: KitMember }>(
      'POST',
      `/kit/v1/tenants/${pathSegment(slug)}/members`,
      input,
    )
    return { ok: true, member: body.member }
  } catch (error) {
    return refusedOrThrow(error)
  }
}

/** A refusal about the request (403, 404, 409, 422) as a value; anything else is rethrown. */
export function refusedOrThrow(error: unknown): Refused {
  if (!(error instanceof KitError) || ![403, 404, 409, 422].includes(error.status)) throw error
  const { limit, current } = error.problem
  return {
    ok: false,
    code: error.code,
    message: error.message,
    ...(typeof limit === 'number' ? { limit } : {}),
    ...(typeof current === 'number' ? { current } : {}),
  }
}
