import type { Cache, Held } from './cache.js'
import { KitError, pathSegment, type Client } from './client.js'
import type { Impersonation } from './types.js'

// The impersonated session in the tenant app (PROTOCOL.md "What the tenant app must do" 4): the
// kit asks Fleetdeck about it at most every 5 s, so an End or expiry in the console takes effect
// here within 5 s, and never trusts its own copy past the seconds Fleetdeck said were left.

/**
 * The impersonation `id` while it is active (`GET /kit/v1/impersonations/:id`, held at most the
 * cache's TTL, ≤ 5 s), with when it was fetched (ms since the epoch, for the banner's countdown).
 * Gone (undefined) when Fleetdeck says it is not `active`, when the `secondsLeft` it gave have run
 * out since (by `now`), or when it is unknown or issued to another app key (404).
 * @throws KitError for any other refusal of the call (bad app key, 429, 5xx, unreachable)
 */
export async function currentImpersonation(
  client: Client,
  cache: Cache<Impersonation | null>,
  now: () => number,
  id: string,
): Promise<Held<Impersonation> | undefined> {
  const held = await cache.get(`imp:${id}`, async () => {
    try {
      const body = await client.json<{ impersonation: Impersonation }>(
        'GET',
        `/kit/v1/impersonations/${pathSegment(id)}`,
      )
      return { value: body.impersonation }
    } catch (error) {
      if (error instanceof KitError && error.status === 404) return { value: null }
      throw error
    }
  })
  const view = held.value
  if (!view || view.status !== 'active') return undefined
  if (view.secondsLeft * 1000 - (now() - held.fetchedAt) <= 0) return undefined
  return { ...held, value: view }
}

/**
 * Ends the impersonation at Fleetdeck (`POST /kit/v1/impersonations/:id/end`): the operator
 * pressed End in the tenant app. Idempotent: an ended one answers its view.
 * @throws KitError 404 `impersonation_not_found`; any other refusal of the call
 */
export async function endImpersonation(client: Client, id: string): Promise<Impersonation> {
  const body = await client.json<{ impersonation: Impersonation }>(
    'POST',
    `/kit/v1/impersonations/${pathSegment(id)}/end`,
  )
  return body.impersonation
}
