import { type Kysely } from 'kysely'

// Issue 10 items 1 and 3: scheduler lag is the delay of runs the timer started at their slot.
// A catch-up run — an instance's first check of a task at start-up, which claims the slot
// already under way, or a takeover of a dead runner's slot — starts late by design, and is
// marked so lag can leave it out with an index scan rather than a self-join. Frozen in time.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('scheduler_runs')
    .addColumn('catch_up', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('scheduler_runs').dropColumn('catch_up').execute()
}
