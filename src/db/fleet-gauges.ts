import { sql } from 'kysely'
import type { Db } from './database.js'
import type { TenantStatus } from './schema.js'

/** What /metrics reports about the fleet at a scrape (src/observability/metrics.ts). */
export type FleetGauges = {
  /** Tenants per status; statuses without tenants are absent. */
  tenantsByStatus: Partial<Record<TenantStatus, number>>
  /** Tenant users per status (invited, active, disabled); absent = none. */
  usersByStatus: Record<string, number>
  /** Impersonations not ended and not yet expired at `now`. */
  activeImpersonations: number
  /** Bulk batches applying or rolling back right now. */
  runningBulkBatches: number
  /**
   * Per periodic task, its latest run's actual start minus its planned start, in seconds
   * (issue 10 item 1: "scheduler lag"); catch-up runs (start-up, takeover) left out, as on
   * /system, so a deploy does not read as lag.
   */
  schedulerLagSeconds: Record<string, number>
  /** Job items pending per job kind (issue 11 item 1); kinds with none are absent. */
  pendingJobItemsByKind: Record<string, number>
}

/**
 * The fleet's gauges in ONE statement (a scrape must stay cheap, and the embedded database runs
 * one statement at a time): counts over `public` tables by status, and the latest run per task
 * through the unique (task, planned_at) index (a loose index scan of the task names, then one
 * backward probe per task: never a sort of the 30 days kept). Counts over users read the whole
 * table: ~0.1 s at a million users on PostgreSQL, the price of an exact number per scrape.
 * @param now the instant impersonations are compared with (the app's clock)
 */
export async function readFleetGauges(db: Db, now: Date): Promise<FleetGauges> {
  const { rows } = await sql<{
    tenants: Record<string, number>
    users: Record<string, number>
    impersonations: number
    batches: number
    scheduler: Record<string, number>
    job_items: Record<string, number>
  }>`
    select
      (select coalesce(json_object_agg(status, n), '{}'::json)
         from (select status, count(*)::int as n from tenants group by status) t) as tenants,
      (select coalesce(json_object_agg(status, n), '{}'::json)
         from (select status, count(*)::int as n from users group by status) u) as users,
      (select count(*)::int from impersonations
         where ended_at is null and expires_at > ${now}) as impersonations,
      (select count(*)::int from bulk_batches
         where status in ('applying', 'rolling_back')) as batches,
      (select coalesce(json_object_agg(task, lag), '{}'::json)
         from (with recursive tasks as (
                 select min(task) as task from scheduler_runs
                 union all
                 select (select min(task) from scheduler_runs where task > tasks.task)
                 from tasks where tasks.task is not null
               )
               select task,
                 (select extract(epoch from r.started_at - r.planned_at)::float8
                  from scheduler_runs r
                  where r.task = tasks.task and not r.catch_up
                  order by r.planned_at desc limit 1) as lag
               from tasks where task is not null) s
         where lag is not null) as scheduler,
      (select coalesce(json_object_agg(kind, n), '{}'::json)
         from (select r.kind, count(*)::int as n
               from job_runs r join job_items i on i.run_id = r.id and i.status = 'pending'
               where r.status in ('running', 'paused', 'failed') group by r.kind) j) as job_items
  `.execute(db)
  const row = rows[0]
  return {
    tenantsByStatus: row.tenants,
    usersByStatus: row.users,
    activeImpersonations: row.impersonations,
    runningBulkBatches: row.batches,
    schedulerLagSeconds: row.scheduler,
    pendingJobItemsByKind: row.job_items,
  }
}
