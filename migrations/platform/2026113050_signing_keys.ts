import { sql, type Kysely } from 'kysely'

// Issue 8 item 1: the Ed25519 key pairs that sign impersonation handoffs (DESIGN.md §12). The
// public half is published at /.well-known/jwks.json; the private half is sealed with the secret
// key (AES-256-GCM) by the app before it reaches this table. Frozen in time.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signing_keys')
    // Random and URL-safe: it travels in JWS headers and JWKS documents (RFC 7515 §4.1.4).
    .addColumn('kid', 'text', (c) => c.primaryKey().check(sql`kid ~ '^[A-Za-z0-9_-]{16,64}$'`))
    // The public JWK only (RFC 7517, RFC 8037 OKP): a private member here would be published.
    .addColumn('public_jwk', 'jsonb', (c) =>
      c.notNull().check(sql`public_jwk ->> 'kty' = 'OKP' and not (public_jwk ? 'd')`),
    )
    .addColumn('private_key_sealed', 'text', (c) =>
      c.notNull().check(sql`private_key_sealed like 'v1.%'`),
    )
    .addColumn('algorithm', 'text', (c) =>
      c
        .notNull()
        .defaultTo('EdDSA')
        .check(sql`algorithm = 'EdDSA'`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('retired_at', 'timestamptz')
    .addCheckConstraint(
      'signing_keys_retired_after_created',
      sql`retired_at is null or retired_at >= created_at`,
    )
    .execute()
  // At most one active key: two instances starting together on a fresh database both try to
  // create one, and the second insert meets this index (ON CONFLICT DO NOTHING, then re-read).
  await sql`create unique index signing_keys_one_active on signing_keys ((true)) where retired_at is null`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('signing_keys').execute()
}
