import type { Permission } from '../../auth/permissions.js'

/**
 * The API token a REST call came through, as the handlers see it (`c.var.apiToken`, set by the
 * API's bearer-token guard in src/api/v1/auth.ts). The token's owner is `c.var.operator`, so
 * `auditContext(c)` names the operator as actor and the token in `api_token_id`.
 */
export type ApiTokenCaller = {
  /** The public half of `id.secret`: what audit_log.api_token_id records. */
  id: string
  name: string
  /** What the token carries: a subset of its creator's role at creation, checked again per call. */
  permissions: readonly Permission[]
  /** True when the creator passed step-up (TOTP) when creating the token (issue 14 item 2). */
  stepUp: boolean
  expiresAt: Date
}
