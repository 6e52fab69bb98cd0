import { pathSegment, type Client } from './client.js'

/** An entry for the tenant's own audit log. */
export type AuditEntryInput = {
  /** What happened, e.g. `board.deleted`. */
  action: string
  details?: Record<string, unknown>
  /** The tenant user who did it; required unless `impersonationId` is given. */
  actorEmail?: string
  /**
   * The impersonation the write was done under (c.var.fleetdeck.impersonation.id): Fleetdeck then
   * fills in both identities itself, the operator as the actor and the impersonated user in the
   * details, so the app cannot forge either (seed 002).
   */
  impersonationId?: string
}

/**
 * Appends an entry to `tenant_<slug>.audit_log` (`POST /kit/v1/tenants/:slug/audit-entries`).
 * @throws KitError 409 `impersonation_inactive` when the impersonation has ended, 404 for an
 *   unknown tenant or impersonation, 422 `invalid_input`; any other refusal of the call
 */
export async function audit(client: Client, slug: string, entry: AuditEntryInput): Promise<void> {
  await client.call('POST', `/kit/v1/tenants/${pathSegment(slug)}/audit-entries`, { body: entry })
}
