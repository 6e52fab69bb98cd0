import type { Client } from './client.js'

/** One sign-in attempt of a tenant user, as the tenant app saw it. */
export type SignInRecord = {
  /** The tenant's slug. */
  tenant: string
  email: string
  outcome: 'succeeded' | 'failed' | 'refused'
  /** A short machine reason, e.g. `bad_password`. */
  detail?: string
  ip?: string
  userAgent?: string
}

/**
 * Records a sign-in, success or failure (`POST /kit/v1/sign-ins`; PROTOCOL.md "What the tenant
 * app must do" 3). An email Fleetdeck does not know is accepted and not recorded.
 * @throws KitError when Fleetdeck refuses the call or is unreachable; the app decides whether a
 *   sign-in goes on without the record
 */
export async function recordSignIn(client: Client, input: SignInRecord): Promise<void> {
  await client.call('POST', '/kit/v1/sign-ins', { body: input })
}
