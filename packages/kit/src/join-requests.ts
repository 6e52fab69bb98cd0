import type { Client } from './client.js'
import { refusedOrThrow, type Refused } from './members.js'

/**
 * Asks to join a tenant (`POST /kit/v1/join-requests`): `joined` when the email's domain is one of
 * the tenant's auto-join domains, else `pending` until an operator decides.
 * @returns the outcome, or the refusal: `tenant_not_found`, `tenant_unavailable`,
 *   `already_member`, `already_pending`, `invalid_input`
 * @throws KitError when the call itself fails (bad app key, 429, 5xx, unreachable)
 */
export async function submitJoinRequest(
  client: Client,
  input: { tenant: string; email: string; name?: string; message?: string },
): Promise<
  | { ok: true; outcome: 'pending' | 'joined'; joinRequestId: string }
  | Omit<Refused, 'limit' | 'current'>
> {
  try {
    const body = await client.json<{ outcome: 'pending' | 'joined'; joinRequestId: string }>(
      'POST',
      '/kit/v1/join-requests',
      input,
    )
    return { ok: true, outcome: body.outcome, joinRequestId: body.joinRequestId }
  } catch (error) {
    const { ok, code, message } = refusedOrThrow(error)
    return { ok, code, message }
  }
}
