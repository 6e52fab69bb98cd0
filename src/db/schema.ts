import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

// Row types of the platform tables in `public`. Columns are snake_case here, at the db edge;
// query modules hand camelCase objects to the rest of the app.

type Timestamp = ColumnType<Date, Date | string, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>
type Json = ColumnType<unknown, string | null, string | null>

/** Super-admin roles, most powerful first (DESIGN.md §2); the one list forms, checks and views use. */
export const OPERATOR_ROLES = ['owner', 'admin', 'operator', 'support', 'viewer'] as const
export type OperatorRole = (typeof OPERATOR_ROLES)[number]
export type TenantStatus = 'provisioning' | 'active' | 'suspended' | 'failed' | 'deleted'
export type MembershipRole = 'owner' | 'admin' | 'member'

export interface PlansTable {
  id: string
  name: string
  price_cents_monthly: number
  price_cents_yearly: Generated<number>
  /** ISO 4217 code, lower case (Stripe's convention). */
  currency: Generated<string>
  max_members: number | null
  max_storage_bytes: number | null
  max_custom_domains: number | null
  max_api_calls_per_day: number | null
  sort_order: number
  is_public: Generated<boolean>
  archived_at: NullableTimestamp
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export interface SuperAdminsTable {
  id: string
  email: string
  name: string
  role: OperatorRole
  is_active: Generated<boolean>
  password_hash: string | null
  totp_secret_encrypted: string | null
  totp_last_step: number | null
  mfa_enabled: Generated<boolean>
  ip_allowlist: Generated<string[]>
  last_login_at: NullableTimestamp
  created_by: string | null
  created_at: ColumnType<Date, Date | string | undefined, Date | string>
  failed_password_count: Generated<number>
  failed_totp_count: Generated<number>
  locked_until: NullableTimestamp
  totp_replay_at: NullableTimestamp
  totp_replay_ip: string | null
  /** The operator may sign in through SSO only (issue 14). */
  sso_only: Generated<boolean>
}

export interface SuperAdminSessionsTable {
  id: string
  super_admin_id: string
  secret_hash: Uint8Array
  two_factor_verified: boolean
  created_at: Timestamp
  last_active_at: Timestamp
  totp_verified_at: NullableTimestamp
  ip: string | null
  user_agent: string | null
}

export interface EnrolmentTokensTable {
  id: string
  secret_hash: Uint8Array
  purpose: 'setup' | 'enrolment' | 'invitation'
  super_admin_id: string | null
  created_at: Timestamp
  expires_at: Timestamp
  used_at: NullableTimestamp
}

export interface TenantsTable {
  id: string
  slug: string
  name: string
  status: TenantStatus
  plan_id: string
  billing_email: string
  first_admin_email: string
  first_admin_name: string
  provisioning_error: string | null
  created_at: Timestamp
  updated_at: Timestamp
  suspended_at: NullableTimestamp
  plan_changed_at: NullableTimestamp
  deleted_at: NullableTimestamp
  last_activity_at: NullableTimestamp
  /** The latest fleet health check's verdict for this tenant (issue 11); null before the first. */
  health: Generated<TenantHealth | null>
  health_checked_at: NullableTimestamp
  /** A deleted tenant's schema and backups are purged after this (grace period, issue 11). */
  purge_after: NullableTimestamp
  /** Owner-set: a protected tenant cannot be deleted until unprotected (issue 11). */
  protected: Generated<boolean>
  /** The tenant's MRR in cents of billing_currency, kept by the billing projection (issue 12). */
  billing_mrr_cents: Generated<number | null>
  billing_currency: Generated<string | null>
  /** First failed payment of the unpaid invoice the tenant is in dunning for (issue 12). */
  dunning_started_at: Generated<Date | null>
}

export interface TenantProvisioningStepsTable {
  tenant_id: string
  step: string
  position: number
  status: 'pending' | 'running' | 'done' | 'failed'
  error: string | null
  started_at: NullableTimestamp
  finished_at: NullableTimestamp
}

export interface UsersTable {
  id: string
  email: string
  name: string
  status: Generated<'invited' | 'active' | 'disabled'>
  last_login_at: NullableTimestamp
  created_at: Timestamp
}

export type UserSignInOutcome = 'succeeded' | 'failed' | 'refused'

export interface UserSignInsTable {
  id: Generated<string>
  user_id: string
  tenant_id: string | null
  at: Timestamp
  ip: string | null
  user_agent: string | null
  outcome: UserSignInOutcome
  detail: string | null
}

export interface MembershipsTable {
  user_id: string
  tenant_id: string
  role: MembershipRole
  created_at: Timestamp
}

export type JoinRequestStatus = 'pending' | 'approved' | 'denied'

/** Someone asking to join a tenant (issue 7 item 3, seed 000); decided once. */
export interface JoinRequestsTable {
  id: string
  user_id: string | null
  email: string
  name: string | null
  tenant_id: string
  message: ColumnType<string, string | undefined, string>
  status: JoinRequestStatus
  /** The role granted on approval. */
  role: MembershipRole | null
  /** The super admin who decided; null while pending and for auto-joins. */
  decided_by: string | null
  decided_at: NullableTimestamp
  reason: string | null
  created_at: Timestamp
}

/** Email domains whose join requests a tenant approves at once, as `member`. */
export interface TenantAutoJoinDomainsTable {
  tenant_id: string
  /** Lower case, e.g. `acme.com`. */
  domain: string
  created_at: Timestamp
  created_by: string | null
}

export interface StorageSnapshotsTable {
  tenant_id: string
  db_bytes: number
  file_bytes: number
  taken_at: Timestamp
  /** On Citus, the worker node (`host:port`) holding the tenant schema; null elsewhere (issue 13). */
  node: Generated<string | null>
}

/**
 * Entries bound for a tenant's own audit_log, written with the public change and delivered by a
 * transaction of their own (issue 13 item 4); deleted once delivered.
 */
export interface TenantAuditOutboxTable {
  id: string
  tenant_id: string
  slug: string
  /** NewTenantAuditEntry[] as JSON. */
  entries: ColumnType<unknown, string, string>
  created_at: Generated<Date>
  attempts: Generated<number>
  last_error: string | null
  last_attempt_at: NullableTimestamp
}

export interface AuditLogTable {
  seq: number
  created_at: Timestamp
  actor_id: string | null
  actor_email: string | null
  impersonated_user_id: string | null
  impersonated_tenant_id: string | null
  action: string
  target_type: string | null
  target_id: string | null
  tenant_id: string | null
  before: Json
  after: Json
  request_id: string | null
  ip: string | null
  user_agent: string | null
  batch_id: string | null
  /** The API token the call came through (issue 14); null for console and CLI entries. */
  api_token_id: string | null
  /** The second operator who approved a dual-control request (issue 14). */
  approved_by_id: string | null
  approved_by_email: string | null
  prev_hash: string
  hash: string
}

export type SignInOutcome =
  | 'success'
  | 'bad_password'
  | 'bad_totp'
  | 'totp_replayed'
  | 'locked'
  | 'ip_refused'
  | 'rate_limited'

export interface SignInAttemptsTable {
  id: Generated<number>
  at: Timestamp
  super_admin_id: string | null
  email: string
  ip: string | null
  user_agent: string | null
  outcome: SignInOutcome
}

export interface RateLimitsTable {
  key: string
  window_start: Timestamp
  hits: number
}

export interface SettingsTable {
  key: string
  value: ColumnType<unknown, string, string>
  updated_at: Timestamp
  updated_by: string | null
}

export interface MailOutboxTable {
  id: Generated<number>
  created_at: Timestamp
  to_address: string
  subject: string
  body: string
}

export type SchedulerRunOutcome = 'running' | 'succeeded' | 'failed'

export interface SchedulerRunsTable {
  id: Generated<number>
  task: string
  planned_at: Timestamp
  started_at: Timestamp
  finished_at: NullableTimestamp
  outcome: SchedulerRunOutcome
  error: string | null
  instance: string
  /** An instance's start-up claim of a slot under way, or a takeover: not counted as lag. */
  catch_up: Generated<boolean>
}

/** Filter values of the audit page: every action and actor the log holds, once each. */
export interface AuditFacetsTable {
  kind: 'action' | 'actor'
  /** The action, or the actor's id. */
  value: string
  /** The action again, or the actor's latest email in the log. */
  label: string
}

/**
 * Ed25519 key pairs that sign impersonation handoffs (issue 8; RFC 8037). At most one has
 * `retired_at` null (a partial unique index); the private JWK is sealed with the secret key.
 */
export interface SigningKeysTable {
  kid: string
  /** The public JWK `{ kty: 'OKP', crv: 'Ed25519', x }`: never a private member (a check). */
  public_jwk: Json
  /** `encryptSecret` of the private JWK's JSON: `v1.…`. */
  private_key_sealed: string
  algorithm: ColumnType<'EdDSA', 'EdDSA' | undefined, never>
  created_at: Timestamp
  retired_at: NullableTimestamp
}

export type ImpersonationMode = 'read_only' | 'read_write'
export type ImpersonationEndReason = 'ended' | 'expired' | 'ended_in_app' | 'tenant_unavailable'

/**
 * An operator acting as a tenant user (issue 8 item 2; seeds 001, 002, 004): at most 60 minutes
 * (a check), at most one open per operator (a partial unique index). The handoff JWT's `jti` is
 * kept until it is redeemed once (`handoff_used_at`).
 */
export interface ImpersonationsTable {
  id: Generated<string>
  operator_id: string
  operator_email: string
  tenant_id: string
  user_id: string
  /** The app key of the tenant app the handoff was issued for (`aud` is that app's URL). */
  app_key_id: string | null
  reason: string
  ticket: string | null
  mode: ImpersonationMode
  started_at: Timestamp
  expires_at: Timestamp
  ended_at: NullableTimestamp
  ended_by: string | null
  end_reason: ImpersonationEndReason | null
  ip: string | null
  user_agent: string | null
  handoff_jti: string | null
  handoff_used_at: NullableTimestamp
}

/**
 * A tenant app's bearer key for the kit API (issue 8 item 3): `fdk_<id>.<secret>`, shown once;
 * only sha256(secret) is kept.
 */
export interface AppKeysTable {
  id: string
  name: string
  /** The app's origin (`https://app.example.com`): the handoff's audience and destination. */
  app_url: string
  secret_hash: Uint8Array
  created_by: string | null
  created_at: Timestamp
  last_used_at: NullableTimestamp
  revoked_at: NullableTimestamp
  revoked_by: string | null
}

export type FlagType = 'boolean' | 'string'
/** A flag value: a boolean for a boolean flag, one of its variants for a string flag. */
export type FlagValue = boolean | string

export interface FeatureFlagsTable {
  id: Generated<string>
  key: string
  description: Generated<string>
  type: FlagType
  variants: ColumnType<string[], string[] | undefined, string[]>
  default_value: ColumnType<FlagValue, string, string>
  rollout_percentage: Generated<number>
  rollout_value: ColumnType<FlagValue | null, string | null | undefined, string | null>
  rollout_plan_ids: ColumnType<string[], string[] | undefined, string[]>
  archived_at: NullableTimestamp
  created_by: string | null
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export interface FeatureFlagPlanValuesTable {
  flag_id: string
  plan_id: string
  value: ColumnType<FlagValue, string, string>
}

export interface FeatureFlagOverridesTable {
  flag_id: string
  tenant_id: string
  value: ColumnType<FlagValue, string, string>
  created_by: string | null
  updated_at: Timestamp
}

export interface TenantApiUsageTable {
  tenant_id: string
  /** A UTC day, `YYYY-MM-DD`. */
  day: ColumnType<string, string, string>
  calls: number
}

export type BulkKind = 'plan_change' | 'flag_override' | 'suspend' | 'activate'
export type BulkBatchStatus = 'applying' | 'applied' | 'failed' | 'rolling_back' | 'rolled_back'
export type BulkItemOutcome = 'pending' | 'applied' | 'unchanged' | 'skipped' | 'failed'

export interface BulkBatchesTable {
  id: string
  kind: BulkKind
  params: Json
  filter: Json
  previewed_count: number
  accepted_drift: Generated<number>
  matched_count: number | null
  status: BulkBatchStatus
  created_by: string
  created_by_email: string
  created_at: Timestamp
  applied_at: NullableTimestamp
  rolled_back_at: NullableTimestamp
  rolled_back_by: string | null
  error: string | null
}

export interface BulkBatchItemsTable {
  batch_id: string
  tenant_id: string
  outcome: BulkItemOutcome
  before: Json
  after: Json
  note: string | null
  rollback_outcome: 'restored' | 'skipped' | 'failed' | null
  rollback_note: string | null
}

/** Issue 10: one day's KPIs, for the whole fleet (tenant_id null) or for one tenant. */
export interface KpiDailyTable {
  /** `YYYY-MM-DD`, the UTC calendar day. */
  day: ColumnType<string, string, string>
  tenant_id: string | null
  /** Named counters of that day, e.g. `{ "activeTenants": 12 }` (src/dashboard/kpis.ts). */
  kpis: ColumnType<Record<string, number>, string, string>
  taken_at: Timestamp
}

/** Issue 10: one health sample (src/health): metric name → value, null when not readable. */
export interface HealthSamplesTable {
  id: Generated<number>
  taken_at: Timestamp
  /** 10 for a raw sample; 300 for a 5-minute fold of older ones. */
  resolution_seconds: number
  /** `host:pid` of the process that took it. */
  instance: string
  metrics: ColumnType<Record<string, number | null>, string, string>
}

// Fleet operations (issue 11): jobs, schema health checks, backups.

/**
 * A tenant schema's health as the latest check found it: `healthy`; `missing` (no schema);
 * `behind` (tenant migrations pending); `drift` (tables, columns, indexes or constraints differ
 * from the reference); `stuck` (tenant left in provisioning or failed); `orphan` (a `tenant_*`
 * schema with no tenant row; only in fleet_check_results).
 */
export type TenantHealth = 'healthy' | 'missing' | 'behind' | 'drift' | 'stuck' | 'orphan'
export const TENANT_HEALTHS: readonly TenantHealth[] = [
  'healthy',
  'missing',
  'behind',
  'drift',
  'stuck',
  'orphan',
]

export type JobRunStatus = 'running' | 'paused' | 'canceled' | 'completed' | 'failed'
export type JobItemStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'canceled'

export interface JobRunsTable {
  id: string
  /** A JobKind (src/jobs/job-kinds.ts): which handler runs the items. */
  kind: string
  /** One line for the operator: "Tenant migrations (canary, 20 tenants)". */
  label: string
  params: ColumnType<unknown, string | undefined, string>
  status: JobRunStatus
  /** Items of this run in flight at once across all instances, 1–8. */
  concurrency: Generated<number>
  /** Stop the run (status failed, stop_reason set) after this many failed items; null = never. */
  stop_after_failures: number | null
  total: number
  /** Null for runs the scheduler started. */
  created_by: string | null
  created_by_email: string | null
  created_at: Timestamp
  updated_at: Timestamp
  finished_at: NullableTimestamp
  stop_reason: string | null
}

export interface JobItemsTable {
  run_id: string
  /** Order of claiming within the run, from 1. */
  seq: number
  tenant_id: string | null
  /** What the item works on, for the operator: a tenant slug, a schema name, or `fleet`. */
  target: string
  status: Generated<JobItemStatus>
  attempts: Generated<number>
  lease_owner: string | null
  lease_expires_at: NullableTimestamp
  started_at: NullableTimestamp
  finished_at: NullableTimestamp
  error: string | null
  result: ColumnType<unknown, string | undefined, string>
}

export interface FleetChecksTable {
  id: string
  run_id: string | null
  started_at: Timestamp
  finished_at: Timestamp
  duration_ms: number
  /** Counts per TenantHealth, plus `schemas` and `tenants` checked. */
  summary: ColumnType<unknown, string, string>
}

export interface FleetCheckResultsTable {
  check_id: string
  schema_name: string
  tenant_id: string | null
  health: TenantHealth
  /** Tenant migration names not applied. */
  pending: ColumnType<unknown, string | undefined, string>
  /** SchemaFinding[] (src/fleet/findings.ts). */
  findings: ColumnType<unknown, string | undefined, string>
}

export interface TenantBackupsTable {
  id: string
  tenant_id: string
  slug: string
  schema_name: string
  /** `manual` | `scheduled` | `pre_delete` | `pre_restore`. */
  reason: string
  /** `pg_dump` (PostgreSQL) | `pglite` (the embedded database's dump). */
  format: string
  /** File name under the backup directory. */
  file_name: string
  /** Bytes on disk (compressed and encrypted). */
  size_bytes: number
  /** SHA-256 of the file on disk, hex. */
  sha256: string
  /** Tenant migrations applied in the schema when it was dumped. */
  migrations: ColumnType<unknown, string | undefined, string>
  run_id: string | null
  created_by: string | null
  created_at: Timestamp
  duration_ms: number
}

// Billing (issue 12): the Stripe event ledger and its projection (migration 2026120500_billing).

/** A stored Stripe delivery; `created` is the event's own time, the projection's version. */
export interface StripeEventsTable {
  id: string
  type: string
  created: Timestamp
  livemode: boolean
  payload: Json
  received_at: Timestamp
  processed_at: NullableTimestamp
  error: string | null
}

/** An admin's link of a Stripe customer to a tenant; survives reprocessing. */
export interface BillingCustomerLinksTable {
  customer_id: string
  tenant_id: string
  linked_by: string | null
  linked_at: Timestamp
}

export type BillingMatch = 'metadata' | 'email' | 'link'

export interface BillingCustomersTable {
  id: string
  tenant_id: string | null
  matched_by: BillingMatch | null
  email: string | null
  name: string | null
  metadata_tenant_id: string | null
  deleted: Generated<boolean>
  card_brand: string | null
  card_last4: string | null
  card_exp_month: number | null
  card_exp_year: number | null
  default_payment_method_id: string | null
  created: NullableTimestamp
  /** `created` of the newest event applied to this customer. */
  source_created: Timestamp
  /** `created` of the payment_method.attached that set the card (migration 2026120520). */
  card_source_created: NullableTimestamp
}

/** One Stripe subscription (`saas_billing`, issue 12 item 2). Amounts in cents of `currency`. */
export interface SaasBillingTable {
  subscription_id: string
  customer_id: string
  tenant_id: string | null
  /** Stripe's status: trialing, active, past_due, unpaid, canceled, paused, incomplete… */
  status: string
  price_id: string | null
  product_name: string | null
  /** `day` | `week` | `month` | `year` of the first item. */
  interval: string | null
  interval_count: number | null
  quantity: number | null
  currency: string
  /** BillingItem[] (src/billing/mrr.ts). */
  items: Json
  /** BillingDiscount[] (src/billing/mrr.ts). */
  discounts: Json
  mrr_cents: Generated<number>
  current_period_end: NullableTimestamp
  cancel_at_period_end: Generated<boolean>
  canceled_at: NullableTimestamp
  trial_end: NullableTimestamp
  started_at: NullableTimestamp
  dunning_started_at: NullableTimestamp
  source_created: Timestamp
}

export interface SaasInvoicesTable {
  id: string
  customer_id: string
  subscription_id: string | null
  tenant_id: string | null
  number: string | null
  /** draft | open | paid | void | uncollectible */
  status: string
  amount_due: Generated<number>
  amount_paid: Generated<number>
  amount_refunded: Generated<number>
  currency: string
  created: Timestamp
  due_date: NullableTimestamp
  paid_at: NullableTimestamp
  paid_out_of_band: Generated<boolean>
  attempt_count: Generated<number>
  next_payment_attempt: NullableTimestamp
  /** The first invoice.payment_failed for this invoice: the start of its dunning window. */
  first_failed_at: NullableTimestamp
  hosted_invoice_url: string | null
  invoice_pdf: string | null
  payment_intent_id: string | null
  charge_id: string | null
  source_created: Timestamp
}

export type MrrMovementKind = 'new' | 'expansion' | 'contraction' | 'churn' | 'reactivation'

/** A change of one customer's MRR in one currency, as it happened (issue 12 item 3). */
export interface MrrMovementsTable {
  id: Generated<number>
  event_id: string
  customer_id: string
  tenant_id: string | null
  currency: string
  kind: MrrMovementKind
  mrr_before_cents: number
  mrr_after_cents: number
  delta_cents: number
  occurred_at: Timestamp
}

/**
 * A Stripe Discount as customer.discount.* delivered it (`billing_discounts`, migration
 * 2026120510): what a subscription's bare discount id (or a customer-wide discount, subscription_id
 * null) takes off. `percent_off` is numeric (pg returns it as a string); `amount_off_cents` is
 * cents of `currency`.
 */
export interface BillingDiscountsTable {
  id: string
  customer_id: string
  subscription_id: string | null
  coupon_id: string | null
  percent_off: string | number | null
  amount_off_cents: number | null
  currency: string | null
  deleted: Generated<boolean>
  /** `created` of the newest event applied to this discount. */
  source_created: Timestamp
}

/** A Stripe Coupon's amounts (`billing_coupons`, migration 2026120510), from coupon.* events. */
export interface BillingCouponsTable {
  id: string
  /** numeric: a string from PostgreSQL. */
  percent_off: string | number | null
  /** Cents of `currency`. */
  amount_off_cents: number | null
  currency: string | null
  source_created: Timestamp
}

export type BillingRequestAction = 'mark_paid_out_of_band' | 'retry_charge'

export interface BillingRequestsTable {
  id: string
  invoice_id: string
  tenant_id: string | null
  action: BillingRequestAction
  requested_by: string | null
  requested_by_email: string
  requested_at: Timestamp
  /** The invoice status Stripe answered the request with. */
  stripe_status: string | null
}

/** Bearer tokens of /api/v1 (issue 14; migration 2026120700). */
export interface ApiTokensTable {
  id: string
  secret_hash: Uint8Array
  super_admin_id: string
  name: string
  permissions: string[]
  step_up: Generated<boolean>
  created_at: Generated<Date>
  expires_at: Timestamp
  last_used_at: NullableTimestamp
  last_used_ip: string | null
  revoked_at: NullableTimestamp
  revoked_by: string | null
}

/** Signed heads of the audit chain (issue 14). */
export interface AuditCheckpointsTable {
  id: Generated<number>
  head_seq: ColumnType<number, number, number>
  head_hash: string
  signed_at: Timestamp
  kid: string
  /** Compact JWS (EdDSA) over `{ seq, hash, time }`. */
  jws: string
  trigger: 'schedule' | 'manual' | 'cli'
  created_by: string | null
  /** The file written to AUDIT_CHECKPOINT_DIR, if any. */
  file: string | null
  /** Why the file could not be written (migration 2026120730). */
  file_error: string | null
  /** When the checkpoint was mailed to AUDIT_CHECKPOINT_MAIL_TO. */
  mailed_at: NullableTimestamp
  /** Why the mail could not be sent. */
  mail_error: string | null
}

export type ApprovalKind =
  'tenant.delete' | 'tenant.bulk_suspend' | 'operator.totp_reset' | 'secrets.rotate'
export type ApprovalStatus =
  'pending' | 'approved' | 'rejected' | 'expired' | 'failed' | 'cancelled'

/** Dual-control requests (issue 14). */
export interface ApprovalRequestsTable {
  id: Generated<string>
  kind: ApprovalKind
  status: Generated<ApprovalStatus>
  requested_by: string
  requested_by_email: string
  reason: string
  /** One line for lists: "Delete tenant acme". */
  summary: string
  target_type: string | null
  target_id: string | null
  tenant_id: string | null
  change: ColumnType<unknown, string, string>
  guard: ColumnType<unknown, string, string>
  created_at: Generated<Date>
  expires_at: Timestamp
  decided_by: string | null
  decided_by_email: string | null
  decided_at: NullableTimestamp
  decision_note: string | null
  result: ColumnType<unknown, string | null, string | null>
}

/** Sign-ins started with an identity provider, consumed once (issue 14). */
export interface SsoStatesTable {
  state: string
  provider: string
  code_verifier: string
  nonce: string
  created_at: Generated<Date>
}

export interface Database {
  api_tokens: ApiTokensTable
  audit_checkpoints: AuditCheckpointsTable
  approval_requests: ApprovalRequestsTable
  sso_states: SsoStatesTable
  sign_in_attempts: SignInAttemptsTable
  rate_limits: RateLimitsTable
  settings: SettingsTable
  kpi_daily: KpiDailyTable
  health_samples: HealthSamplesTable
  mail_outbox: MailOutboxTable
  plans: PlansTable
  super_admins: SuperAdminsTable
  super_admin_sessions: SuperAdminSessionsTable
  enrolment_tokens: EnrolmentTokensTable
  tenants: TenantsTable
  tenant_provisioning_steps: TenantProvisioningStepsTable
  users: UsersTable
  memberships: MembershipsTable
  user_sign_ins: UserSignInsTable
  storage_snapshots: StorageSnapshotsTable
  tenant_audit_outbox: TenantAuditOutboxTable
  audit_log: AuditLogTable
  scheduler_runs: SchedulerRunsTable
  audit_facets: AuditFacetsTable
  join_requests: JoinRequestsTable
  tenant_auto_join_domains: TenantAutoJoinDomainsTable
  signing_keys: SigningKeysTable
  impersonations: ImpersonationsTable
  app_keys: AppKeysTable
  feature_flags: FeatureFlagsTable
  feature_flag_plan_values: FeatureFlagPlanValuesTable
  feature_flag_overrides: FeatureFlagOverridesTable
  tenant_api_usage: TenantApiUsageTable
  bulk_batches: BulkBatchesTable
  bulk_batch_items: BulkBatchItemsTable
  job_runs: JobRunsTable
  job_items: JobItemsTable
  fleet_checks: FleetChecksTable
  fleet_check_results: FleetCheckResultsTable
  tenant_backups: TenantBackupsTable
  stripe_events: StripeEventsTable
  billing_customer_links: BillingCustomerLinksTable
  billing_customers: BillingCustomersTable
  saas_billing: SaasBillingTable
  saas_invoices: SaasInvoicesTable
  mrr_movements: MrrMovementsTable
  billing_requests: BillingRequestsTable
  billing_discounts: BillingDiscountsTable
  billing_coupons: BillingCouponsTable
}

export type TenantRow = Selectable<TenantsTable>
export type NewTenantRow = Insertable<TenantsTable>
export type TenantUpdate = Updateable<TenantsTable>
export type SuperAdminRow = Selectable<SuperAdminsTable>
export type PlanRow = Selectable<PlansTable>
export type AuditLogRow = Selectable<AuditLogTable>
export type AuditFacetRow = Selectable<AuditFacetsTable>
