import { OPERATOR_ROLES, type OperatorRole } from '../db/schema.js'
import type { Permission } from './permissions.js'

// Who may call which route, written out by hand as the expected outcome (issue #3): it is
// checked against the role → permission table and the routes' guards by
// src/routes/authorization.test.tsx, which also fails when a route is missing here.

export type Access =
  /** Answers without a session (sign-in, enrolment links, health, the JWKS). */
  | 'public'
  /** Any super admin with a full session, whatever the role (own account, step-up). */
  | 'signed-in'
  /** The kit API: an app key as bearer token, never a console session (src/kit-api/auth.ts). */
  | 'app-key'
  /** Prometheus: a bearer METRICS_TOKEN, or a loopback peer when none is set; never a session. */
  | 'metrics-token'
  /** Stripe's webhooks: the Stripe-Signature header over the raw body is the authentication. */
  | 'stripe-signature'
  /**
   * The REST API (/api/v1): an API token as bearer, never a console session, carrying this
   * permission (src/api/v1/auth.ts). `null` = any valid token (the OpenAPI document).
   */
  | { apiToken: Permission | null }
  /** The identity provider's redirect back to Fleetdeck: state, PKCE and the ID token authenticate. */
  | 'sso-callback'
  /** Only these roles; every other role gets 403. */
  | readonly OperatorRole[]

const ALL: readonly OperatorRole[] = OPERATOR_ROLES
const EDITORS: readonly OperatorRole[] = ['owner', 'admin']
const SUSPENDERS: readonly OperatorRole[] = ['owner', 'admin', 'operator']
const OWNERS: readonly OperatorRole[] = ['owner']
const DECIDERS: readonly OperatorRole[] = ['owner', 'admin', 'operator']
const IMPERSONATORS: readonly OperatorRole[] = ['owner', 'admin', 'support']
/** Holders of saas.fleet.run: start and steer jobs, checks, repairs, migrations, backups. */
const FLEET_RUNNERS: readonly OperatorRole[] = ['owner', 'admin', 'operator']
/** Holders of saas.billing.edit: link customers, ask Stripe to mark paid or retry (step-up). */
const BILLING_EDITORS: readonly OperatorRole[] = ['owner', 'admin']

/** `METHOD path` exactly as Hono lists it in `app.routes` → who may call it. */
export const AUTHORIZATION_MATRIX: Record<string, Access> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /.well-known/jwks.json': 'public',
  'GET /login': 'public',
  'POST /login': 'public',
  'GET /login/totp': 'public',
  'POST /login/totp': 'public',
  'POST /logout': 'public',
  'GET /enrol/:token{[a-z2-7]{32}\\.[a-z2-7]{32}}': 'public',
  'POST /enrol/:token{[a-z2-7]{32}\\.[a-z2-7]{32}}': 'public',
  'GET /enrol/totp': 'public',
  'POST /enrol/totp': 'public',

  'GET /tenants': ALL,
  'GET /tenants/new': EDITORS,
  'POST /tenants': EDITORS,
  'GET /tenants/:id': ALL,
  'POST /tenants/:id': EDITORS,
  'DELETE /tenants/:id': EDITORS,
  'GET /tenants/:id/suspension/new': SUSPENDERS,
  'POST /tenants/:id/suspension': SUSPENDERS,
  'DELETE /tenants/:id/suspension': SUSPENDERS,
  'POST /tenants/:id/onboarding': EDITORS,
  'POST /tenants/:id/auto-join-domains': EDITORS,
  'DELETE /tenants/:id/auto-join-domains/:domain': EDITORS,

  // Plans and licences (issue 9 items 1, 2).
  'GET /plans': ALL,
  'GET /plans/new': EDITORS,
  'POST /plans': EDITORS,
  'GET /plans/:id': EDITORS,
  'GET /plans/:id/impact': EDITORS,
  'POST /plans/:id': EDITORS,
  'DELETE /plans/:id': EDITORS,
  'POST /plans/:id/archive': EDITORS,
  'DELETE /plans/:id/archive': EDITORS,
  'GET /licences': ALL,
  'POST /tenants/:id/plan': EDITORS,

  'GET /join-requests': ALL,
  'POST /join-requests/approval': DECIDERS,
  'POST /join-requests/denial': DECIDERS,

  // Feature flags (issue 9 item 3).
  'GET /flags': ALL,
  'GET /flags/new': EDITORS,
  'POST /flags': EDITORS,
  'GET /flags/:key': ALL,
  'POST /flags/:key': EDITORS,
  'POST /flags/:key/plan-values': EDITORS,
  'POST /flags/:key/rollout': EDITORS,
  'POST /flags/:key/archive': EDITORS,
  'DELETE /flags/:key/archive': EDITORS,
  'POST /flags/:key/overrides': EDITORS,
  'DELETE /flags/:key/overrides/:tenantId': EDITORS,
  'POST /tenants/:id/flags/:key': EDITORS,
  'DELETE /tenants/:id/flags/:key': EDITORS,

  'GET /tenants/:id/members': ALL,
  'GET /users': ALL,
  'GET /users/:id': ALL,
  'POST /users/:id/memberships': EDITORS,
  'POST /users/:id/memberships/:tenantId': EDITORS,
  'DELETE /users/:id/memberships/:tenantId': EDITORS,
  'POST /users/:id/disablement': EDITORS,
  'DELETE /users/:id/disablement': EDITORS,

  'GET /audit': ALL,

  // Bulk changes (issue 9 item 4). Each kind then needs its own permission (plans or flags:
  // owner, admin; suspend/activate: also operator), checked once the kind is known.
  'GET /batches': ALL,
  'GET /batches/new': SUSPENDERS,
  'POST /batches': SUSPENDERS,
  'GET /batches/:id': ALL,
  'POST /batches/:id/continuation': SUSPENDERS,
  'POST /batches/:id/rollback': SUSPENDERS,

  'GET /impersonations': ALL,
  'GET /impersonations/new': IMPERSONATORS,
  'POST /impersonations': IMPERSONATORS,
  'POST /impersonations/:id/handoff': IMPERSONATORS,
  // Owners end anyone's, others their own (the handler checks whose it is).
  'POST /impersonations/:id/end': 'signed-in',
  // The banner of the operator's own impersonation, whatever their role is now.
  'GET /impersonations/banner': 'signed-in',

  'POST /kit/v1/impersonations/redeem': 'app-key',
  'GET /kit/v1/impersonations/:id': 'app-key',
  'POST /kit/v1/impersonations/:id/end': 'app-key',
  'POST /kit/v1/tenants/:slug/audit-entries': 'app-key',

  'POST /scope': ALL,
  'GET /scope/picker': ALL,

  'GET /account': 'signed-in',
  'DELETE /account/sessions/:sessionId': 'signed-in',
  'DELETE /account/sessions': 'signed-in',
  'POST /account/allowlist': 'signed-in',
  'GET /step-up': 'signed-in',
  'POST /step-up': 'signed-in',

  'GET /settings/security': OWNERS,
  'POST /settings/security': OWNERS,
  'DELETE /settings/security/sessions': OWNERS,
  'GET /settings/app-keys': OWNERS,
  'POST /settings/app-keys': OWNERS,
  'POST /settings/app-keys/:id/revocation': OWNERS,

  'GET /kit/v1/tenants/:slug': 'app-key',
  'GET /kit/v1/tenants/:slug/members': 'app-key',
  'GET /kit/v1/tenants/:slug/members/:userId': 'app-key',
  'POST /kit/v1/tenants/:slug/members': 'app-key',
  'POST /kit/v1/sign-ins': 'app-key',
  'POST /kit/v1/join-requests': 'app-key',

  // Kit snapshot additions and OFREP (issue 9 items 5, 6).
  'POST /kit/v1/tenants/:slug/api-usage': 'app-key',
  'POST /ofrep/v1/evaluate/flags/:key': 'app-key',
  'POST /ofrep/v1/evaluate/flags': 'app-key',

  // Dashboard (issue 10 item 2).
  'GET /': ALL,
  // System health (issue 10 item 3).
  'GET /system': ALL,
  // Prometheus (issue 10 item 4).
  'GET /metrics': 'metrics-token',
  // Settings: the index, signup and default plan (issue 10 item 6).
  'GET /settings/signup': OWNERS,
  'POST /settings/signup': OWNERS,
  'GET /kit/v1/signup': 'app-key',
  'POST /kit/v1/signups': 'app-key',
  // Settings: mail relay, licence key, key rotation (issue 10 item 6).
  'GET /settings': OWNERS,
  'GET /settings/mail': OWNERS,
  'POST /settings/mail': OWNERS,
  'DELETE /settings/mail': OWNERS,
  'POST /settings/mail/test': OWNERS,
  'GET /settings/licence': OWNERS,
  'POST /settings/licence': OWNERS,
  'DELETE /settings/licence': OWNERS,
  'GET /settings/keys': OWNERS,
  'POST /settings/keys/signing-key': OWNERS,
  'POST /settings/keys/super-admin-secret': OWNERS,
  // Settings: health thresholds (issue 10 item 3).
  'GET /settings/thresholds': OWNERS,
  'POST /settings/thresholds': OWNERS,
  'DELETE /settings/thresholds': OWNERS,

  // Fleet operations (issue 11). Each group adds its routes under its own line.
  // Jobs (issue 11 item 1).
  'GET /jobs': ALL,
  'GET /jobs/:id': ALL,
  'POST /jobs/:id/pause': FLEET_RUNNERS,
  'DELETE /jobs/:id/pause': FLEET_RUNNERS,
  'GET /jobs/:id/cancellation/new': FLEET_RUNNERS,
  'POST /jobs/:id/cancellation': FLEET_RUNNERS,
  'POST /jobs/:id/retries': FLEET_RUNNERS,
  // Schema health (issue 11 item 2).
  'GET /fleet': ALL,
  'POST /fleet/checks': FLEET_RUNNERS,
  // Repair (issue 11 item 3).
  'GET /fleet/schemas/:schema': ALL,
  'POST /fleet/schemas/:schema/repairs': FLEET_RUNNERS,
  'POST /fleet/schemas/:schema/adoption': FLEET_RUNNERS,
  // Drops data: owner and admin (saas.tenants.delete, as deleting a tenant), with step-up.
  'DELETE /fleet/schemas/:schema': EDITORS,
  // Fleet migrations (issue 11 item 4).
  'GET /fleet/migrations': ALL,
  // The dry-run executes each pending migration's up() in the server: those who may run them.
  'GET /fleet/migrations/dry-run': FLEET_RUNNERS,
  'POST /fleet/migrations': FLEET_RUNNERS,
  // Backups and restore (issue 11 item 5). Restores replace or copy a tenant's data: the
  // deleters (owner, admin), with step-up; backing up is fleet work.
  'POST /tenants/:id/backups': FLEET_RUNNERS,
  'GET /tenants/:id/backups/:backupId/restoration': EDITORS,
  'POST /tenants/:id/backups/:backupId/restoration': EDITORS,
  'GET /fleet/backups': ALL,
  'POST /fleet/backups': FLEET_RUNNERS,
  'GET /fleet/backups/:backupId/tenant': EDITORS,
  'POST /fleet/backups/:backupId/tenant': EDITORS,
  // Deletion with a grace period, protection (issue 11 item 6).
  'GET /tenants/:id/restoration/new': EDITORS,
  'POST /tenants/:id/restoration': EDITORS,
  // saas.tenants.delete, then the handler's owner check (no permission of its own).
  'POST /tenants/:id/protection': OWNERS,
  'DELETE /tenants/:id/protection': OWNERS,

  // Billing (issue 12). Each group adds its routes under its own line.
  // Stripe webhook (issue 12 item 1).
  'POST /webhooks/stripe': 'stripe-signature',
  // /billing (issue 12 items 2–4).
  'GET /billing': ALL,
  'POST /billing/customers/:customerId/tenant': BILLING_EDITORS,
  // Tenant billing tab and actions (issue 12 items 4–5).
  'GET /tenants/:id/billing': ALL,
  'POST /tenants/:id/billing/invoices/:invoiceId/payment': BILLING_EDITORS,

  // Citus placement and tenant moves (issue 13 item 5).
  'GET /tenants/:id/placement': EDITORS,
  'POST /tenants/:id/placement': EDITORS,

  'GET /super-admins': OWNERS,
  'GET /super-admins/new': OWNERS,
  'POST /super-admins': OWNERS,
  'GET /super-admins/outbox': OWNERS,
  'GET /super-admins/:id': OWNERS,
  'POST /super-admins/:id': OWNERS,
  'POST /super-admins/:id/deactivation': OWNERS,
  'DELETE /super-admins/:id/deactivation': OWNERS,
  'DELETE /super-admins/:id/totp': OWNERS,
  'POST /super-admins/:id/invitation': OWNERS,
  'DELETE /super-admins/:id/sessions/:sessionId': OWNERS,
  'DELETE /super-admins/:id/sessions': OWNERS,
  // --- issue 14: API tokens (/account/tokens) ---
  'GET /account/tokens': 'signed-in',
  'POST /account/tokens': 'signed-in',
  'DELETE /account/tokens/:id': 'signed-in',
  // --- end API tokens ---
  // --- issue 14: REST API (/api/v1) ---
  'GET /api/v1/openapi.json': 'public',
  // tenants (src/api/v1/tenants.ts): the console's permission for the same action
  'GET /api/v1/tenants': { apiToken: 'saas.tenants.view' },
  'POST /api/v1/tenants': { apiToken: 'saas.tenants.create' },
  'GET /api/v1/tenants/:id': { apiToken: 'saas.tenants.view' },
  'PATCH /api/v1/tenants/:id': { apiToken: 'saas.tenants.edit' },
  'DELETE /api/v1/tenants/:id': { apiToken: 'saas.tenants.delete' },
  'POST /api/v1/tenants/:id/suspension': { apiToken: 'saas.tenants.suspend' },
  'DELETE /api/v1/tenants/:id/suspension': { apiToken: 'saas.tenants.suspend' },
  'PUT /api/v1/tenants/:id/plan': { apiToken: 'saas.plans.edit' },
  // end tenants
  // apipeople: users, super admins, stats, flags
  'GET /api/v1/users': { apiToken: 'saas.users.view' },
  'GET /api/v1/users/:id': { apiToken: 'saas.users.view' },
  'PATCH /api/v1/users/:id': { apiToken: 'saas.users.edit' },
  'PUT /api/v1/users/:id/memberships/:tenantId': { apiToken: 'saas.users.edit' },
  'DELETE /api/v1/users/:id/memberships/:tenantId': { apiToken: 'saas.users.edit' },
  'GET /api/v1/super-admins': { apiToken: 'saas.super_admins.manage' },
  'POST /api/v1/super-admins': { apiToken: 'saas.super_admins.manage' },
  'POST /api/v1/super-admins/:id/deactivation': { apiToken: 'saas.super_admins.manage' },
  'DELETE /api/v1/super-admins/:id/deactivation': { apiToken: 'saas.super_admins.manage' },
  'GET /api/v1/stats': { apiToken: 'saas.dashboard.view' },
  'GET /api/v1/flags': { apiToken: 'saas.tenants.view' },
  'GET /api/v1/flags/:key': { apiToken: 'saas.tenants.view' },
  'PUT /api/v1/tenants/:id/flags/:key': { apiToken: 'saas.flags.edit' },
  'DELETE /api/v1/tenants/:id/flags/:key': { apiToken: 'saas.flags.edit' },
  // end apipeople
  // --- end REST API ---
  // --- issue 14: SSO ---
  'POST /login/sso/:provider': 'public',
  'GET /login/sso/:provider/callback': 'sso-callback',
  'POST /super-admins/:id/sso-only': OWNERS,
  // --- end SSO ---
  // --- issue 14: audit export ---
  // Holders of saas.audit.export (src/auth/permissions.ts).
  'POST /audit/export': ['owner', 'admin', 'operator'],
  // --- end audit export ---
  // --- issue 14: audit checkpoints ---
  'GET /audit/verify': ALL,
  // Signing a checkpoint: saas.audit.export (owner, admin, operator).
  'POST /audit/verify/checkpoints': ['owner', 'admin', 'operator'],
  // --- end audit checkpoints ---
  // --- issue 14: approvals (dual control) ---
  'GET /approvals': EDITORS,
  'GET /approvals/:id': EDITORS,
  'POST /approvals/:id/approval': EDITORS,
  'POST /approvals/:id/rejection': EDITORS,
  'POST /approvals/:id/cancellation': EDITORS,
  'GET /settings/approvals': OWNERS,
  'POST /settings/approvals': OWNERS,
  // --- end approvals ---
}
