import { conditionalGet, type Cache } from './cache.js'
import { KitError, type Client } from './client.js'
import type { TenantStatus } from './types.js'

// Self-service signup (PROTOCOL.md "Signup"): whether the app shows its signup page, and
// creating a workspace whose first admin (owner) is the person signing up.

/** Whether public signup is open, and the plan a new workspace gets (null when none can). */
export type SignupSettings = { open: boolean; defaultPlan: { id: string; name: string } | null }

/** A new workspace and who asked for it. `ip`: the signer-up's address, for the rate limit. */
export type SignUpInput = {
  slug: string
  name: string
  ownerName: string
  ownerEmail: string
  ip?: string
}

/** The workspace as created; `status` is `active` once onboarding has finished. */
export type SignedUpTenant = {
  id: string
  slug: string
  name: string
  status: TenantStatus
  plan: { id: string; name: string }
}

/** A signup Fleetdeck refused, as a value the signup form can show. */
export type SignUpRefused = {
  ok: false
  /**
   * `signup_closed` (403), `slug_taken` and `invalid_input` (422, with `errors` by field),
   * `rate_limited` (429), `onboarding_failed` (503: the workspace exists but is not usable yet)
   */
  code: string
  message: string
  errors: { path: string; message: string }[]
}

const SETTINGS_KEY = 'signup'

/**
 * Signup settings through `GET /kit/v1/signup`, held at most the cache's TTL (≤ 5 s) and
 * revalidated with If-None-Match: an owner turning signup off reaches the app within 5 s.
 * @throws KitError when the call fails (bad app key, 429, 5xx, unreachable)
 */
export async function signupSettings(
  client: Client,
  cache: Cache<SignupSettings>,
): Promise<SignupSettings> {
  const { value } = await cache.get(SETTINGS_KEY, (held) =>
    conditionalGet(
      (headers) => client.call('GET', '/kit/v1/signup', { headers }),
      held,
      (body) => body as SignupSettings,
    ),
  )
  return value
}

const REFUSED_STATUSES = [403, 409, 422, 429, 503]

/**
 * Creates a workspace through `POST /kit/v1/signups` on Fleetdeck's default plan, the signer-up
 * as its owner; Fleetdeck runs the whole onboarding before answering.
 * @returns the tenant, or the refusal (SignUpRefused.code)
 * @throws KitError for a bad app key, 5xx other than onboarding_failed, or when unreachable
 */
export async function signUp(
  client: Client,
  input: SignUpInput,
): Promise<{ ok: true; tenant: SignedUpTenant } | SignUpRefused> {
  try {
    const body = await client.json<{ tenant: SignedUpTenant }>('POST', '/kit/v1/signups', input)
    return { ok: true, tenant: body.tenant }
  } catch (error) {
    if (!(error instanceof KitError) || !REFUSED_STATUSES.includes(error.status)) throw error
    if (error.status === 503 && error.code !== 'onboarding_failed') throw error
    const errors = Array.isArray(error.problem.errors)
      ? (error.problem.errors as SignUpRefused['errors'])
      : []
    return { ok: false, code: error.code, message: error.message, errors }
  }
}
