import {
  createLocalJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  type FlattenedJWSInput,
} from 'jose'
import { KitError, type Client } from './client.js'
import type { Impersonation } from './types.js'

// Impersonation handoffs (PROTOCOL.md, Impersonation): a 60-second JWS the console gives the
// operator's browser, checked here before the kit spends a call on redeeming it. Fleetdeck checks
// it again on redeem and alone decides single use (`jti`): a local check never accepts a replay.

/** The `typ` header of a handoff: explicit typing keeps other JWTs out (RFC 8725 §3.11). */
export const HANDOFF_TYP = 'fleetdeck-handoff+jwt'
/** The one algorithm accepted (RFC 8725 §3.1: never let the token choose): Ed25519, RFC 8037. */
export const HANDOFF_ALG = 'EdDSA'
/** Clock skew allowed between Fleetdeck and the app, in seconds (RFC 7519 §4.1.4 "small leeway"). */
export const CLOCK_TOLERANCE_SECONDS = 5
/** The oldest `iat` accepted, in seconds: a handoff lives 60 s, this bounds one with a far `exp`. */
export const MAX_HANDOFF_AGE_SECONDS = 120
/** How long a fetched JWKS is used before it is fetched again, in ms (Fleetdeck's max-age). */
export const JWKS_MAX_AGE_MS = 60_000
/** The least time between two fetches of the JWKS, in ms: unknown kids cannot make the kit hammer it. */
export const JWKS_MIN_REFETCH_MS = 10_000

/**
 * The claims of a verified handoff (PROTOCOL.md): `sub` the tenant user's id, `act` the operator
 * (RFC 8693 §4.1 actor claim), `imp` the impersonation id, `iat`/`exp` seconds since the epoch,
 * `jti` the single-use id.
 */
export type HandoffClaims = {
  iss: string
  aud: string
  sub: string
  tenant_id: string
  tenant_slug: string
  act: { sub: string; email: string }
  imp: string
  mode: 'read_only' | 'read_write'
  iat: number
  exp: number
  jti: string
}

/** A key resolver for jose's jwtVerify over Fleetdeck's JWKS. */
export type JwksResolver = (
  header: JWSHeaderParameters,
  token: FlattenedJWSInput,
) => Promise<CryptoKey>

/**
 * Fleetdeck's JWKS (`GET /.well-known/jwks.json`, RFC 7517 §5) fetched through `fetch`, kept for
 * JWKS_MAX_AGE_MS, and fetched again once when a token names a kid it does not hold (a key rotated
 * in since), but never twice within JWKS_MIN_REFETCH_MS. Concurrent fetches share one request.
 * The resolver throws jose's JWKSNoMatchingKey for a kid still unknown, and KitError 502
 * `jwks_unavailable` when the JWKS cannot be fetched.
 */
export function createJwksResolver(options: {
  jwksUrl: string
  fetch: typeof fetch
  now: () => number
}): JwksResolver {
  let keySet: ReturnType<typeof createLocalJWKSet> | undefined
  let fetchedAt = -Infinity
  let inFlight: Promise<void> | undefined

  const load = async () => {
    let response: Response
    try {
      response = await options.fetch(options.jwksUrl, { headers: { accept: 'application/json' } })
    } catch (error) {
      throw new KitError(
        502,
        'jwks_unavailable',
        `Fleetdeck's JWKS is unreachable: ${String(error)}`,
      )
    }
    if (!response.ok) {
      throw new KitError(502, 'jwks_unavailable', `Fleetdeck's JWKS answered ${response.status}`)
    }
    keySet = createLocalJWKSet((await response.json()) as JSONWebKeySet)
    fetchedAt = options.now()
  }
  const refetch = () => (inFlight ??= load().finally(() => (inFlight = undefined)))

  return async (header, token) => {
    if (!keySet || options.now() - fetchedAt >= JWKS_MAX_AGE_MS) await refetch()
    try {
      return await keySet!(header, token)
    } catch (error) {
      const mayRefetch = options.now() - fetchedAt >= JWKS_MIN_REFETCH_MS
      if (!(error instanceof errors.JWKSNoMatchingKey) || !mayRefetch) throw error
      await refetch()
      return keySet!(header, token)
    }
  }
}

/**
 * Verifies a handoff token: JWS signature with a key of Fleetdeck's JWKS (RFC 7515), `alg`
 * EdDSA only (RFC 8725 §3.1), `typ` fleetdeck-handoff+jwt (§3.11), `iss` = `issuer` (§3.8),
 * `aud` = `audience` (this app's URL, §3.9), `exp` and `iat` against `now` (RFC 7519 §4.1.4, §4.1.6;
 * CLOCK_TOLERANCE_SECONDS leeway), and the claims PROTOCOL.md names present and well-typed.
 * @returns the claims; the token is NOT yet redeemed (single use is Fleetdeck's check)
 * @throws KitError 403 `wrong_audience` when the token is for another app; 400 `invalid_token`
 *   for anything else wrong with it (expired, bad signature, unknown kid, wrong `typ`/`alg`/`iss`,
 *   malformed); 502 `jwks_unavailable` when the keys cannot be fetched
 */
export async function verifyHandoff(
  token: string,
  options: { keys: JwksResolver; issuer: string; audience: string; now: () => number },
): Promise<HandoffClaims> {
  try {
    const { payload } = await jwtVerify(token, options.keys, {
      algorithms: [HANDOFF_ALG],
      typ: HANDOFF_TYP,
      issuer: options.issuer,
      audience: options.audience,
      currentDate: new Date(options.now()),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      maxTokenAge: MAX_HANDOFF_AGE_SECONDS,
      requiredClaims: ['exp', 'jti', 'sub', 'imp', 'mode', 'tenant_id', 'tenant_slug', 'act'],
    })
    if (!isHandoffClaims(payload)) throw new KitError(400, 'invalid_token', 'Malformed claims.')
    return payload
  } catch (error) {
    throw handoffRefusal(error)
  }
}

/** The KitError a failed verification stands for; the message is fit for the refusal page. */
function handoffRefusal(error: unknown): KitError {
  if (error instanceof KitError) return error
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud') {
    return new KitError(403, 'wrong_audience', 'This support link was issued for another app.')
  }
  if (error instanceof errors.JWTExpired) {
    return new KitError(400, 'invalid_token', 'This support link has expired.')
  }
  if (error instanceof errors.JOSEError) {
    return new KitError(400, 'invalid_token', `This support link is not valid (${error.code}).`)
  }
  throw error
}

function isHandoffClaims(p: Record<string, unknown>): p is HandoffClaims {
  const act = p.act as Record<string, unknown> | null
  const strings = ['iss', 'aud', 'sub', 'tenant_id', 'tenant_slug', 'imp', 'jti'] as const
  return (
    strings.every((k) => typeof p[k] === 'string') &&
    (p.mode === 'read_only' || p.mode === 'read_write') &&
    typeof p.iat === 'number' &&
    typeof p.exp === 'number' &&
    typeof act === 'object' &&
    act !== null &&
    typeof act.sub === 'string' &&
    typeof act.email === 'string'
  )
}

/**
 * Redeems a verified handoff at Fleetdeck (`POST /kit/v1/impersonations/redeem`), which marks its
 * `jti` used in one compare-and-set.
 * @returns the impersonation's view
 * @throws KitError 409 `handoff_used` (a replay, audited by Fleetdeck), 410 `impersonation_ended`,
 *   400 `invalid_token`, 403 `wrong_audience`; any other refusal of the call
 */
export async function redeemHandoff(
  client: Client,
  token: string,
  claims: HandoffClaims,
): Promise<Impersonation> {
  const { impersonation } = await client.json<{ impersonation: Impersonation }>(
    'POST',
    '/kit/v1/impersonations/redeem',
    { token },
  )
  // Fleetdeck answering for another session than the token names would be its bug; refuse it.
  if (impersonation.id !== claims.imp) {
    throw new KitError(502, 'invalid_response', 'Fleetdeck redeemed another impersonation.')
  }
  return impersonation
}
