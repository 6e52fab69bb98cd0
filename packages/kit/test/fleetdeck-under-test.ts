import { afterAll, beforeAll } from 'vitest'
import { createKit, type Kit, type KitOptions } from '../src/index.js'
import type { Impersonation, TenantStatus } from '../src/types.js'

// The Fleetdeck a kit test talks to, and what a test may do to it (make tenants, members and
// impersonations, end them, rotate the key, read what was recorded): the real one started
// in-process (in-process-fleetdeck.ts). The kit itself only ever sees `fetch`.

export type TestTenant = { id: string; slug: string; name: string }
export type TestUser = { id: string; email: string; name: string }
export type HandoffOverrides = {
  /** Claims to replace (or, with `undefined`, to drop). */
  claims?: Record<string, unknown>
  header?: Record<string, unknown>
  /** Sign with a fresh key of this kid that the JWKS does not publish. */
  unknownKey?: boolean
}

export type FleetdeckUnderTest = {
  readonly fleetdeckUrl: string
  readonly appKey: string
  readonly appUrl: string
  /** Every call the kit made, as 'GET /kit/v1/tenants/acme' (query strings kept). */
  readonly calls: string[]
  /** The clock Fleetdeck and the kit share, in ms since the epoch. */
  readonly clock: { now(): number; advance(ms: number): void }
  /** The fetch that reaches this Fleetdeck (and logs to `calls`). */
  readonly fetch: typeof fetch
  /** A kit connected to this Fleetdeck. */
  kit(overrides?: Partial<KitOptions>): Kit
  createTenant(options?: { planId?: string }): Promise<TestTenant>
  /** A boolean flag (off by default) with these plan values and tenant overrides. */
  createFlag(options: {
    key: string
    planValues?: Record<string, boolean>
    overrides?: Record<string, boolean>
  }): Promise<void>
  /** The API calls Fleetdeck recorded for the tenant today (UTC, by the shared clock). */
  apiCallsToday(tenant: TestTenant): Promise<number>
  setTenantStatus(tenant: TestTenant, status: TenantStatus): Promise<void>
  /** Public signup on or off and the default plan (null: the first public plan), as an owner saves them. */
  setSignup(open: boolean, defaultPlanId?: string | null): Promise<void>
  createMember(tenant: TestTenant, role?: 'owner' | 'admin' | 'member'): Promise<TestUser>
  setUserStatus(user: TestUser, status: 'active' | 'disabled'): Promise<void>
  /** An active impersonation of `user` in `tenant`, issued to this app key, as the console starts one. */
  startImpersonation(
    tenant: TestTenant,
    user: TestUser,
    options?: { mode?: Impersonation['mode']; minutes?: number },
  ): Promise<{ id: string; operatorEmail: string }>
  /** Ends it as the console's End button does. */
  endImpersonation(id: string): Promise<void>
  /** A handoff token for the impersonation, signed as the console signs one (the jti is recorded). */
  handoffToken(impersonationId: string, overrides?: HandoffOverrides): Promise<string>
  /** Rotates the signing key: a new active key, the old one still published for a while. */
  rotateSigningKey(): Promise<void>
  /** The sign-ins Fleetdeck recorded for the user, oldest first. */
  signIns(user: TestUser): Promise<{ outcome: string; detail: string | null }[]>
  /** The actions in the tenant's own audit log, oldest first, with actor and details. */
  tenantAudit(tenant: TestTenant): Promise<{ action: string; actor: string | null; details: any }[]>
  close(): Promise<void>
}

/** Wraps `fetch` so every call is logged to `calls` as 'METHOD /path?query'. */
export function loggingFetch(inner: typeof fetch, calls: string[]): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    calls.push(`${init?.method ?? 'GET'} ${url.pathname}${url.search}`)
    return inner(input, init)
  }) as typeof fetch
}

export function kitFor(
  fd: Pick<FleetdeckUnderTest, 'fleetdeckUrl' | 'appKey' | 'appUrl' | 'fetch' | 'clock'>,
  overrides: Partial<KitOptions> = {},
) {
  return createKit({
    fleetdeckUrl: fd.fleetdeckUrl,
    appKey: fd.appKey,
    appUrl: fd.appUrl,
    fetch: fd.fetch,
    now: fd.clock.now,
    ...overrides,
  })
}

/**
 * The Fleetdeck of a test file, opened in beforeAll and closed in afterAll; `open` builds it
 * (inProcessFleetdeck). Reading it outside a test or hook throws.
 */
export function useFleetdeck(open: () => Promise<FleetdeckUnderTest>): FleetdeckUnderTest {
  let current: FleetdeckUnderTest | undefined
  beforeAll(async () => {
    current = await open()
  })
  afterAll(async () => {
    await current?.close()
    current = undefined
  })
  return new Proxy({} as FleetdeckUnderTest, {
    get(_, property) {
      if (!current) throw new Error('useFleetdeck: Fleetdeck opens in beforeAll')
      const value = (current as any)[property]
      return typeof value === 'function' ? value.bind(current) : value
    },
  })
}
