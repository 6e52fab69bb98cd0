import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose'
import type { SsoProviderConfig, SsoProviderId } from '../config.js'

// Where each identity provider lives. Google, Microsoft Entra ID and any OIDC issuer are read
// from their discovery documents (OpenID Connect Discovery 1.0 §4), so the three share one
// tested path: the endpoints, the issuer an ID token must name, and the JWKS its signature is
// checked against. GitHub speaks plain OAuth 2.0 (no ID token): fixed endpoints and its API.

/** GitHub's OAuth endpoints and REST API (fixed; GitHub has no discovery document). */
export const GITHUB = {
  authorizationEndpoint: 'https://github.com/login/oauth/authorize',
  tokenEndpoint: 'https://github.com/login/oauth/access_token',
  apiBase: 'https://api.github.com',
}

/** What the sign-in page's button says after "Continue with". */
export function providerLabel(provider: SsoProviderConfig): string {
  switch (provider.id) {
    case 'google':
      return 'Google'
    case 'microsoft-entra-id':
      return 'Microsoft'
    case 'github':
      return 'GitHub'
    case 'oidc':
      return provider.name
  }
}

/** The issuer whose discovery document describes an OIDC provider; undefined for GitHub. */
export function discoveryIssuer(provider: SsoProviderConfig): string | undefined {
  switch (provider.id) {
    case 'google':
      return 'https://accounts.google.com'
    case 'microsoft-entra-id':
      return `https://login.microsoftonline.com/${encodeURIComponent(provider.tenant)}/v2.0`
    case 'github':
      return undefined
    case 'oidc':
      return provider.issuer
  }
}

/**
 * The origin the browser is sent to for this provider's sign-in page (for CSP `form-action`).
 * For a generic OIDC issuer, its own origin: authorization endpoints live there in practice.
 */
export function providerOrigin(provider: SsoProviderConfig): string {
  if (provider.id === 'github') return new URL(GITHUB.authorizationEndpoint).origin
  return new URL(discoveryIssuer(provider)!).origin
}

/** The parts of a discovery document sign-in uses, and the issuer's key set (fetched lazily). */
export type OidcEndpoints = {
  issuer: string
  authorizationEndpoint: string
  tokenEndpoint: string
  jwks: JWTVerifyGetKey
}

const discovered = new Map<string, Promise<OidcEndpoints>>()

/**
 * The provider's endpoints from `<issuer>/.well-known/openid-configuration`, cached per issuer
 * for the life of the process (a failed fetch is not cached). The document's `issuer` must be
 * the one asked for (OIDC Discovery 1.0 §4.3) — except for Entra, whose documents name the
 * directory's id even when asked by its domain; a multi-tenant template issuer
 * (`{tenantid}`: tenant `common` or `organizations`) is refused, since no ID token could match it.
 * The JWKS (jose `createRemoteJWKSet`) refetches on an unknown `kid`, so key rotation needs no restart.
 * @throws Error when the document cannot be fetched or does not describe this issuer.
 */
export function discoverProvider(provider: SsoProviderConfig): Promise<OidcEndpoints> {
  const issuer = discoveryIssuer(provider)
  if (!issuer) throw new Error(`${provider.id} has no discovery document`)
  let found = discovered.get(issuer)
  if (!found) {
    found = fetchDiscovery(issuer, provider.id)
    discovered.set(issuer, found)
    found.catch(() => discovered.delete(issuer))
  }
  return found
}

async function fetchDiscovery(issuer: string, id: SsoProviderId): Promise<OidcEndpoints> {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(10_000),
  })
  if (!res.ok) throw new Error(`discovery for ${issuer} answered ${res.status}`)
  const doc = (await res.json()) as Record<string, unknown>
  const text = (key: string) => {
    const value = doc[key]
    if (typeof value !== 'string' || !/^https?:\/\//.test(value))
      throw new Error(`discovery for ${issuer} has no ${key}`)
    return value
  }
  const docIssuer = text('issuer')
  if (id === 'microsoft-entra-id' ? docIssuer.includes('{') : docIssuer !== issuer)
    throw new Error(`discovery for ${issuer} names issuer ${docIssuer}`)
  return {
    issuer: docIssuer,
    authorizationEndpoint: text('authorization_endpoint'),
    tokenEndpoint: text('token_endpoint'),
    jwks: createRemoteJWKSet(new URL(text('jwks_uri'))),
  }
}
