import { sql, type Kysely } from 'kysely'

// Issue 6: the scheduler's record of periodic runs (DESIGN.md §8). One row per task and planned
// slot; the unique key is what lets only one instance claim a slot. Frozen in time.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scheduler_runs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('task', 'text', (c) => c.notNull())
    .addColumn('planned_at', 'timestamptz', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('outcome', 'text', (c) =>
      c.notNull().check(sql`outcome in ('running', 'succeeded', 'failed')`),
    )
    .addColumn('error', 'text')
    .addColumn('instance', 'text', (c) => c.notNull())
    .addUniqueConstraint('scheduler_runs_task_planned_key', ['task', 'planned_at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('scheduler_runs').execute()
}
