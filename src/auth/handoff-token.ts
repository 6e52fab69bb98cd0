import { randomBytes } from 'node:crypto'
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose'
import type { Transaction } from 'kysely'
import type { Config } from '../config.js'
import type { Db } from '../db/database.js'
import type { Database, ImpersonationMode } from '../db/schema.js'
import { lockSigningKeyShared } from '../db/signing-keys.js'
import { isUuid } from '../db/tenants.js'
import { activeSigningKey, publicJwks, SIGNING_ALGORITHM } from './signing-keys.js'

// The impersonation handoff token (packages/kit/PROTOCOL.md "Impersonation"; issue 8 item 2): a
// compact JWS the console hands the operator's browser, which carries it to the tenant app; the
// app's kit redeems it at the kit API, once. Trust boundary: the browser holds it for up to 60 s,
// so it names nothing secret and is bound to one audience and one jti.

/** Explicit typing of the JWS header (RFC 8725 §3.11): no other JWT of ours verifies as one. */
export const HANDOFF_TYP = 'fleetdeck-handoff+jwt'
/** Lifetime of a handoff token, in seconds (`exp` = `iat` + 60). */
export const HANDOFF_SECONDS = 60

/** What the token says, as Fleetdeck signs it (claim names are the protocol's). */
export type HandoffClaims = {
  /** The tenant user id (`sub`). */
  userId: string
  tenantId: string
  tenantSlug: string
  /** RFC 8693 §4.1 actor: the super admin acting as the user. */
  operator: { id: string; email: string }
  /** The impersonation id (`imp`). */
  impersonationId: string
  mode: ImpersonationMode
  jti: string
}

/** A fresh single-use token id: 128 random bits, base64url. */
export function newHandoffJti(): string {
  return randomBytes(16).toString('base64url')
}

/**
 * Signs a handoff for `audience` (the app key's `app_url`) with the active key: header
 * `{alg: EdDSA, kid, typ}`, `iss` = PUBLIC_URL, `iat` = `now` in seconds, `exp` = `iat` + 60.
 * Runs in the transaction (`trx`) that starts or updates the impersonation the token hands off
 * to, under the signing-key lock held shared until its commit (lockSigningKeyShared): a rotation
 * then either ends that impersonation or has committed first, and this signs with its new key.
 * The caller takes that lock first thing in the transaction, before the audit chain's lock, which
 * a rotation takes after it; taking it here again never waits, and keeps a caller that forgot it
 * from signing with a key being retired (at worst a deadlock PostgreSQL breaks, never a stale
 * token).
 * @throws SigningKeyUnsealError when the active key does not open with this secret key
 */
export async function signHandoffToken(
  trx: Transaction<Database>,
  config: Pick<Config, 'publicUrl' | 'secretKey'>,
  claims: HandoffClaims,
  audience: string,
  now: Date,
): Promise<string> {
  await lockSigningKeyShared(trx)
  const key = await activeSigningKey(trx, config, now)
  const iat = Math.floor(now.getTime() / 1000)
  return new SignJWT({
    tenant_id: claims.tenantId,
    tenant_slug: claims.tenantSlug,
    act: { sub: claims.operator.id, email: claims.operator.email },
    imp: claims.impersonationId,
    mode: claims.mode,
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: HANDOFF_TYP })
    .setIssuer(config.publicUrl)
    .setAudience(audience)
    .setSubject(claims.userId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + HANDOFF_SECONDS)
    .setJti(claims.jti)
    .sign(key.privateKey)
}

/**
 * Verifies a handoff against the published keys (the JWKS, so a retired key within its overlap
 * still verifies): signature, `typ`, `alg`, `iss`, `exp` at `now` (the injected clock, no
 * leeway). The audience is returned, not checked: a token for another app is a different
 * refusal (403) than a forged or expired one.
 * @returns the claims and `aud`, or undefined for anything malformed, forged, unknown or expired
 */
export async function verifyHandoffToken(
  db: Db,
  config: Pick<Config, 'publicUrl'>,
  token: string,
  now: Date,
): Promise<{ claims: HandoffClaims; audience: string[] } | undefined> {
  const keys = createLocalJWKSet(await publicJwks(db, now))
  try {
    const { payload: p } = await jwtVerify(token, keys, {
      algorithms: [SIGNING_ALGORITHM],
      typ: HANDOFF_TYP,
      issuer: config.publicUrl,
      currentDate: now,
      requiredClaims: ['exp', 'iat', 'jti', 'sub', 'aud'],
    })
    const act = p.act as { sub?: unknown; email?: unknown } | undefined
    const imp = typeof p.imp === 'string' && isUuid(p.imp) ? p.imp : undefined
    if (!imp || (p.mode !== 'read_only' && p.mode !== 'read_write')) return undefined
    if (typeof act?.sub !== 'string' || typeof act.email !== 'string') return undefined
    const claims: HandoffClaims = {
      userId: p.sub!,
      tenantId: String(p.tenant_id),
      tenantSlug: String(p.tenant_slug),
      operator: { id: act.sub, email: act.email },
      impersonationId: imp,
      mode: p.mode,
      jti: p.jti!,
    }
    return { claims, audience: typeof p.aud === 'string' ? [p.aud] : (p.aud ?? []) }
  } catch {
    return undefined
  }
}

/** `<app_url>/_fleetdeck/handoff?token=<jws>`: where the console sends the operator's browser. */
export function handoffUrl(appUrl: string, token: string): string {
  return `${appUrl.replace(/\/+$/, '')}/_fleetdeck/handoff?token=${encodeURIComponent(token)}`
}
