import { sql, type Kysely } from 'kysely'

// Issue 14 (automation and evidence). Frozen in time.
// - api_tokens: bearer tokens for /api/v1. `id` is the public half of `id.secret`; only
//   sha256(secret) is kept. `permissions` is a subset of the creator's role at creation time;
//   `step_up` records that the creator re-entered TOTP when creating it (needed for the actions
//   that require step-up in the console). `expires_at` is required (≤ 1 year, checked in the app).
// - audit_log.api_token_id / approved_by_id / approved_by_email: who called through which token,
//   and who approved a dual-control request. Null for every older row, and left out of the chain
//   hash while null, so the existing chain still verifies.
// - audit_checkpoints: the chain head (seq, hash, time) signed with the Ed25519 signing key, as a
//   compact JWS; also written outside the database (AUDIT_CHECKPOINT_DIR).
// - approval_requests: dual control. `change` is the exact change to run on approval; `guard` is
//   what the target looked like when the request was made, so a stale change is refused.
// - sso_states: one row per sign-in started with an identity provider (state, PKCE verifier,
//   nonce), consumed once by the callback.
// - super_admins.sso_only: the operator may sign in through SSO only (no password).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('secret_hash', 'bytea', (c) => c.notNull())
    .addColumn('super_admin_id', 'uuid', (c) =>
      c.notNull().references('super_admins.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('permissions', sql`text[]`, (c) => c.notNull())
    .addColumn('step_up', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('last_used_ip', 'text')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'uuid', (c) => c.references('super_admins.id').onDelete('set null'))
    .execute()
  await db.schema
    .createIndex('api_tokens_super_admin')
    .on('api_tokens')
    .columns(['super_admin_id', 'created_at'])
    .execute()

  await db.schema
    .alterTable('audit_log')
    .addColumn('api_token_id', 'text')
    .addColumn('approved_by_id', 'uuid')
    .addColumn('approved_by_email', 'text')
    .execute()

  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('head_seq', 'bigint', (c) => c.notNull())
    .addColumn('head_hash', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('jws', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('super_admins.id').onDelete('set null'))
    .addColumn('file', 'text')
    .execute()
  await db.schema
    .createIndex('audit_checkpoints_signed_at')
    .on('audit_checkpoints')
    .column('signed_at')
    .execute()

  await db.schema
    .createTable('approval_requests')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('requested_by', 'uuid', (c) =>
      c.notNull().references('super_admins.id').onDelete('cascade'),
    )
    .addColumn('requested_by_email', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('tenant_id', 'uuid')
    .addColumn('change', 'jsonb', (c) => c.notNull())
    .addColumn('guard', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_by', 'uuid', (c) => c.references('super_admins.id').onDelete('set null'))
    .addColumn('decided_by_email', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decision_note', 'text')
    .addColumn('result', 'jsonb')
    .execute()
  await db.schema
    .createIndex('approval_requests_status')
    .on('approval_requests')
    .columns(['status', 'created_at'])
    .execute()

  await db.schema
    .createTable('sso_states')
    .addColumn('state', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .alterTable('super_admins')
    .addColumn('sso_only', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('super_admins').dropColumn('sso_only').execute()
  await db.schema.dropTable('sso_states').execute()
  await db.schema.dropTable('approval_requests').execute()
  await db.schema.dropTable('audit_checkpoints').execute()
  await db.schema
    .alterTable('audit_log')
    .dropColumn('api_token_id')
    .dropColumn('approved_by_id')
    .dropColumn('approved_by_email')
    .execute()
  await db.schema.dropTable('api_tokens').execute()
}
