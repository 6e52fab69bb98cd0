import { type Kysely } from 'kysely'

// Issue 12 fix round (finding 5): the card on file keeps the `created` of the event that set it,
// so an older payment_method.attached delivered late does not replace a newer card. Null: no card
// event applied yet. Frozen in time.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('billing_customers')
    .addColumn('card_source_created', 'timestamptz')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('billing_customers').dropColumn('card_source_created').execute()
}
