import { CodeChallengeMethod, generateCodeVerifier, generateState, OAuth2Client } from 'arctic'
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import type { SsoProviderConfig } from '../config.js'
import { discoverProvider, GITHUB } from './sso-providers.js'

// Operator sign-in through an identity provider (issue 14 item 3). arctic builds the
// authorization URL and exchanges the code; it does not verify ID tokens, so `verifyIdToken`
// does (OIDC Core 1.0 §3.1.3.7). The result is only a verified email: the route matches it to an
// existing operator and TOTP still follows (seed 002).

/** Scopes asked of OIDC providers: the ID token with the operator's email. */
const OIDC_SCOPES = ['openid', 'email', 'profile']
/** GitHub has no ID token: the profile, and the email list with its verified flags. */
const GITHUB_SCOPES = ['read:user', 'user:email']
/** Clock skew allowed on `exp`/`nbf`/`iat`, in seconds. */
export const ID_TOKEN_CLOCK_TOLERANCE_SECONDS = 60

/** What is stored while the operator is at the provider: one `sso_states` row. */
export type SsoStart = { url: URL; state: string; codeVerifier: string; nonce: string }

/** Why an identity was refused (audited; the operator sees one message per kind). */
export type SsoRefusal =
  'exchange_failed' | 'invalid_id_token' | 'nonce_mismatch' | 'email_unverified' | 'no_email'

export type SsoIdentity =
  { ok: true; email: string; subject: string } | { ok: false; reason: SsoRefusal; detail?: string }

/** Where the provider sends the browser back: PUBLIC_URL + `/login/sso/<id>/callback`. */
export function ssoCallbackUrl(publicUrl: string, provider: SsoProviderConfig): string {
  return `${publicUrl}/login/sso/${provider.id}/callback`
}

function clientFor(provider: SsoProviderConfig, publicUrl: string): OAuth2Client {
  return new OAuth2Client(
    provider.clientId,
    provider.clientSecret,
    ssoCallbackUrl(publicUrl, provider),
  )
}

/**
 * Starts a sign-in: a fresh `state` (RFC 6749 §10.12, binds the callback to this browser), a PKCE
 * verifier whose S256 challenge goes in the URL (RFC 7636 §4), and a `nonce` the ID token must
 * carry back (OIDC Core 1.0 §3.1.2.1). Each is 32 random bytes, base64url.
 * @throws Error when an OIDC provider's discovery document cannot be read.
 */
export async function startSso(provider: SsoProviderConfig, publicUrl: string): Promise<SsoStart> {
  const state = generateState()
  const codeVerifier = generateCodeVerifier()
  const nonce = generateState()
  const client = clientFor(provider, publicUrl)
  const oidc = provider.id !== 'github'
  const authorizationEndpoint = oidc
    ? (await discoverProvider(provider)).authorizationEndpoint
    : GITHUB.authorizationEndpoint
  const url = client.createAuthorizationURLWithPKCE(
    authorizationEndpoint,
    state,
    CodeChallengeMethod.S256,
    codeVerifier,
    oidc ? OIDC_SCOPES : GITHUB_SCOPES,
  )
  if (oidc) url.searchParams.set('nonce', nonce)
  return { url, state, codeVerifier, nonce }
}

/** Options that tests and odd deployments change: GitHub's API address, the clock. */
export type FinishOptions = { githubApiBase?: string; now: Date }

/**
 * Finishes a sign-in: exchanges `code` with the stored PKCE verifier, then returns the provider's
 * verified email — from the verified ID token for OIDC providers, from GitHub's email list
 * (primary and verified) for GitHub. Every failure is a refusal value, never a throw.
 */
export async function finishSso(
  provider: SsoProviderConfig,
  publicUrl: string,
  code: string,
  stored: { codeVerifier: string; nonce: string },
  options: FinishOptions,
): Promise<SsoIdentity> {
  const client = clientFor(provider, publicUrl)
  try {
    if (provider.id === 'github') {
      const tokens = await client.validateAuthorizationCode(
        GITHUB.tokenEndpoint,
        code,
        stored.codeVerifier,
      )
      return await githubVerifiedEmail(tokens.accessToken(), options.githubApiBase)
    }
    const endpoints = await discoverProvider(provider)
    const tokens = await client.validateAuthorizationCode(
      endpoints.tokenEndpoint,
      code,
      stored.codeVerifier,
    )
    return await verifyIdToken(tokens.idToken(), {
      issuer: endpoints.issuer,
      clientId: provider.clientId,
      nonce: stored.nonce,
      jwks: endpoints.jwks,
      now: options.now,
      entra: provider.id === 'microsoft-entra-id',
    })
  } catch (error) {
    return { ok: false, reason: 'exchange_failed', detail: errorText(error) }
  }
}

/** What an ID token is checked against. `entra` accepts Entra's `xms_edov` as verification. */
export type IdTokenExpectations = {
  issuer: string
  clientId: string
  nonce: string
  jwks: JWTVerifyGetKey
  now: Date
  entra?: boolean
}

/**
 * Validates an ID token as OIDC Core 1.0 §3.1.3.7 requires and returns its verified email:
 * signature by a key of the issuer's JWKS (asymmetric algorithms only, never `none` or HMAC),
 * `iss` equal to the discovery issuer, `aud` containing our client id and, when there are
 * several audiences, `azp` equal to it; `exp` not passed and `iat` present, within
 * ID_TOKEN_CLOCK_TOLERANCE_SECONDS of `now`; `nonce` equal to the one stored at start.
 * The email must be proven: `email_verified === true`; for Microsoft Entra ID, which sends no
 * `email_verified`, the optional claim `xms_edov` (the email's domain is verified by the
 * directory's owner) must be true instead. Without either, the email is refused.
 */
export async function verifyIdToken(
  idToken: string,
  expect: IdTokenExpectations,
): Promise<SsoIdentity> {
  let claims: JWTPayload
  try {
    ;({ payload: claims } = await jwtVerify(idToken, expect.jwks, {
      issuer: expect.issuer,
      audience: expect.clientId,
      algorithms: [
        'RS256',
        'RS384',
        'RS512',
        'PS256',
        'PS384',
        'PS512',
        'ES256',
        'ES384',
        'ES512',
        'EdDSA',
      ],
      currentDate: expect.now,
      clockTolerance: ID_TOKEN_CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['iss', 'aud', 'exp', 'iat', 'sub'],
    }))
  } catch (error) {
    return { ok: false, reason: 'invalid_id_token', detail: errorText(error) }
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
  if (audiences.length > 1 && claims.azp !== expect.clientId)
    return { ok: false, reason: 'invalid_id_token', detail: 'azp is not our client id' }
  if (claims.nonce !== expect.nonce) return { ok: false, reason: 'nonce_mismatch' }
  if (typeof claims.email !== 'string' || !claims.email.includes('@'))
    return { ok: false, reason: 'no_email' }
  const verified =
    claims.email_verified === true || (expect.entra === true && isTrue(claims.xms_edov))
  if (!verified) return { ok: false, reason: 'email_unverified', detail: claims.email }
  return { ok: true, email: claims.email, subject: String(claims.sub) }
}

/** Entra sends optional boolean claims as JSON booleans, or as strings in some token versions. */
function isTrue(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1
}

/**
 * GitHub's primary email, only when GitHub marks it verified (GET /user/emails; the public
 * profile email is chosen by the user and never verified). `apiBase` is GitHub's API unless a
 * test points it at a local server.
 */
export async function githubVerifiedEmail(
  accessToken: string,
  apiBase: string = GITHUB.apiBase,
): Promise<SsoIdentity> {
  const res = await fetch(`${apiBase}/user/emails`, {
    headers: {
      authorization: `Bearer ${accessToken}`,
      accept: 'application/vnd.github+json',
      'user-agent': 'Fleetdeck',
      'x-github-api-version': '2022-11-28',
    },
    signal: AbortSignal.timeout(10_000),
  })
  if (!res.ok) return { ok: false, reason: 'exchange_failed', detail: `emails ${res.status}` }
  const emails = (await res.json()) as unknown
  if (!Array.isArray(emails)) return { ok: false, reason: 'no_email' }
  const primary = emails.find(
    (e): e is { email: string; verified: unknown } =>
      typeof e === 'object' && e !== null && e.primary === true && typeof e.email === 'string',
  )
  if (!primary) return { ok: false, reason: 'no_email' }
  if (primary.verified !== true)
    return { ok: false, reason: 'email_unverified', detail: primary.email }
  return { ok: true, email: primary.email, subject: primary.email }
}

function errorText(error: unknown): string {
  if (error instanceof errors.JOSEError) return error.code
  return error instanceof Error ? error.message.slice(0, 200) : 'unknown error'
}
