import { recordApiCalls, type ApiUsageRecorded } from './api-usage.js'
import { audit, type AuditEntryInput } from './audit.js'
import { bannerFor, type Banner } from './banner.js'
import { createCache, MAX_CACHE_MS } from './cache.js'
import { createClient, withoutTrailingSlash } from './client.js'
import { entitlementsOf, type Entitlements } from './entitlements.js'
import { createJwksResolver, redeemHandoff, verifyHandoff, type HandoffClaims } from './handoff.js'
import { currentImpersonation, endImpersonation } from './impersonation.js'
import { submitJoinRequest } from './join-requests.js'
import {
  addMember,
  checkMember,
  listMembers,
  memberKeyPrefix,
  type MemberCheck,
  type MemberLookup,
} from './members.js'
import { recordSignIn, type SignInRecord } from './sign-ins.js'
import {
  signUp,
  signupSettings,
  type SignedUpTenant,
  type SignUpInput,
  type SignUpRefused,
  type SignupSettings,
} from './signup.js'
import { resolveTenant, type HeldTenant, type TenantResolution } from './tenants.js'
import type { Impersonation, KitMember, KitTenant } from './types.js'

/**
 * The default hold, in ms: a second under the 5 s PROTOCOL.md allows, so that an End, a
 * suspension or a disabled user reaches every request within 5 s once the round trip to Fleetdeck
 * and the page itself are counted (issue 8: "takes effect in the tenant app within 5 seconds";
 * measured by `npm run bench -- --only-kit`).
 */
export const DEFAULT_CACHE_MS = 4000

/** How a tenant app connects to Fleetdeck. */
export type KitOptions = {
  /** Fleetdeck's base URL, e.g. 'http://127.0.0.1:3000': where the kit API is, and the handoff `iss`. */
  fleetdeckUrl: string
  /** The app key, 'fdk_<id>.<secret>' (created by an owner at /settings/app-keys). */
  appKey: string
  /** This app's origin: the handoff audience (must equal the key's app_url). */
  appUrl: string
  /**
   * How long tenants, members and impersonations are held, in ms: default 4000 (DEFAULT_CACHE_MS),
   * at most 5000 (MAX_CACHE_MS).
   */
  cacheMs?: number
  /** The fetch the kit calls Fleetdeck with; tests pass an in-process one. */
  fetch?: typeof fetch
  /** The clock, in ms since the epoch. */
  now?: () => number
}

/** Everything a tenant app asks Fleetdeck, over the kit API (PROTOCOL.md). */
export interface Kit {
  /** This app's origin, as configured (no trailing slash): the handoff audience. */
  readonly appUrl: string
  resolveTenant(slug: string): Promise<TenantResolution>
  checkMember(slug: string, who: MemberLookup): Promise<MemberCheck>
  listMembers(slug: string): Promise<KitMember[]>
  addMember(
    slug: string,
    input: { email: string; name: string; role: 'member' | 'admin'; actorEmail: string },
  ): Promise<
    | { ok: true; member: KitMember }
    | { ok: false; code: string; message: string; limit?: number; current?: number }
  >
  /** Plan, quotas, flags (`isEnabled`, `variant`) and usage of a resolved tenant; no call. */
  entitlements(tenant: KitTenant): Entitlements
  /**
   * Adds `calls` to the tenant's API calls of today (UTC); the tenant's next resolve fetches
   * the new usage (its held copy is dropped).
   */
  recordApiCalls(slug: string, calls: number): Promise<ApiUsageRecorded>
  recordSignIn(input: SignInRecord): Promise<void>
  submitJoinRequest(input: {
    tenant: string
    email: string
    name?: string
    message?: string
  }): Promise<
    | { ok: true; outcome: 'pending' | 'joined'; joinRequestId: string }
    | { ok: false; code: string; message: string }
  >
  /**
   * Whether public signup is open and the plan new workspaces get (`GET /kit/v1/signup`), held
   * like a tenant (≤ 5 s): hide the signup page, and any link to it, while `open` is false.
   */
  signupSettings(): Promise<SignupSettings>
  /**
   * Creates a workspace on Fleetdeck's default plan with the signer-up as its owner
   * (`POST /kit/v1/signups`); refusals (`signup_closed`, `slug_taken`, `invalid_input`,
   * `rate_limited`, `onboarding_failed`) come back as values.
   */
  signUp(input: SignUpInput): Promise<{ ok: true; tenant: SignedUpTenant } | SignUpRefused>
  verifyHandoff(token: string): Promise<HandoffClaims>
  redeemHandoff(token: string): Promise<Impersonation>
  currentImpersonation(id: string): Promise<Impersonation | undefined>
  endImpersonation(id: string): Promise<Impersonation>
  audit(slug: string, entry: AuditEntryInput): Promise<void>
  bannerFor(impersonation: Impersonation): Banner
}

/**
 * A kit for one tenant app. Makes no call until asked; every method documents what it calls,
 * what it holds (at most `cacheMs`, ≤ 5 s) and what it throws.
 */
export function createKit(options: KitOptions): Kit {
  const now = options.now ?? Date.now
  const fetchImpl = options.fetch ?? globalThis.fetch
  const ttlMs = Math.min(options.cacheMs ?? DEFAULT_CACHE_MS, MAX_CACHE_MS)
  const client = createClient({
    fleetdeckUrl: options.fleetdeckUrl,
    appKey: options.appKey,
    fetch: fetchImpl,
  })
  const tenants = createCache<HeldTenant>({ ttlMs, now })
  const members = createCache<KitMember | null>({ ttlMs, now })
  const impersonations = createCache<Impersonation | null>({ ttlMs, now })
  const signup = createCache<SignupSettings>({ ttlMs, now })
  // When each view was fetched, for the banner's countdown; views are never mutated.
  const fetchedAt = new WeakMap<Impersonation, number>()
  const keys = createJwksResolver({
    jwksUrl: `${client.baseUrl}/.well-known/jwks.json`,
    fetch: fetchImpl,
    now,
  })
  const verify = (token: string) =>
    verifyHandoff(token, {
      keys,
      issuer: client.baseUrl,
      audience: withoutTrailingSlash(options.appUrl),
      now,
    })
  const remember = (view: Impersonation, at = now()) => {
    fetchedAt.set(view, at)
    return view
  }

  return {
    appUrl: withoutTrailingSlash(options.appUrl),
    resolveTenant: (slug) => resolveTenant(client, tenants, slug),
    checkMember: (slug, who) => checkMember(client, members, slug, who),
    listMembers: (slug) => listMembers(client, slug),
    async addMember(slug, input) {
      const added = await addMember(client, slug, input)
      if (added.ok) {
        members.forget(memberKeyPrefix(slug), true)
        tenants.forget(`tenant:${slug}`)
      }
      return added
    },
    entitlements: (tenant) => entitlementsOf(tenant),
    async recordApiCalls(slug, calls) {
      const recorded = await recordApiCalls(client, slug, calls)
      tenants.forget(`tenant:${slug}`)
      return recorded
    },
    recordSignIn: (input) => recordSignIn(client, input),
    submitJoinRequest: (input) => submitJoinRequest(client, input),
    signupSettings: () => signupSettings(client, signup),
    async signUp(input) {
      const result = await signUp(client, input)
      // The slug may be held as unknown from before: the new workspace must resolve at once.
      tenants.forget(`tenant:${input.slug}`)
      return result
    },
    verifyHandoff: verify,
    async redeemHandoff(token) {
      const view = await redeemHandoff(client, token, await verify(token))
      impersonations.forget(`imp:${view.id}`)
      return remember(view)
    },
    async currentImpersonation(id) {
      const held = await currentImpersonation(client, impersonations, now, id)
      return held && remember(held.value, held.fetchedAt)
    },
    async endImpersonation(id) {
      const view = await endImpersonation(client, id)
      impersonations.forget(`imp:${id}`)
      return remember(view)
    },
    audit: (slug, entry) => audit(client, slug, entry),
    bannerFor: (impersonation) =>
      bannerFor(impersonation, { fetchedAt: fetchedAt.get(impersonation) ?? now(), now: now() }),
  }
}
