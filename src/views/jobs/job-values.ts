import type { JobProgress, JobRun } from '../../db/job-runs.js'
import type { JobItemStatus, JobRunStatus } from '../../db/schema.js'

// How runs and items read on /jobs, /jobs/:id and the pages that embed a run's progress.

export const RUN_STATUS_STYLES: Record<JobRunStatus, string> = {
  running: 'bg-sky-100 text-sky-800',
  paused: 'bg-amber-100 text-amber-900',
  completed: 'bg-emerald-100 text-emerald-800',
  failed: 'bg-red-100 text-red-800',
  canceled: 'bg-slate-200 text-slate-700',
}

export const ITEM_STATUS_STYLES: Record<JobItemStatus, string> = {
  pending: 'bg-slate-100 text-slate-700',
  running: 'bg-sky-100 text-sky-800',
  done: 'bg-emerald-100 text-emerald-800',
  failed: 'bg-red-100 text-red-800',
  skipped: 'bg-amber-100 text-amber-900',
  canceled: 'bg-slate-200 text-slate-700',
}

/** Job kinds in words; a kind this build does not know reads as itself. */
const KIND_LABELS: Record<string, string> = {
  health_check: 'Health check',
  tenant_migration: 'Tenant migrations',
  backup: 'Backups',
  purge: 'Purge',
  tenant_move: 'Tenant move',
}

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind
}

/** Who started a run: the operator's email, or "scheduler" for periodic runs. */
export function startedBy(run: JobRun): string {
  return run.createdByEmail ?? 'scheduler'
}

/** Items that have ended one way or another (the progress bar's value). */
export function settledCount(p: JobProgress): number {
  return p.done + p.failed + p.skipped + p.canceled
}

/** "4 min 12 s": from start to finish, or to `now` while the run is open. */
export function durationText(run: JobRun, now: Date): string {
  const end = run.finishedAt ?? now
  const seconds = Math.max(0, Math.round((end.getTime() - run.createdAt.getTime()) / 1000))
  if (seconds < 60) return `${seconds} s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`
}

/** "1,200 of 2,000 items: 1,180 done, 15 failed, 5 skipped; 2 running, 798 pending". */
export function progressText(p: JobProgress): string {
  const n = (value: number) => value.toLocaleString('en-US')
  const ended = [`${n(p.done)} done`, `${n(p.failed)} failed`, `${n(p.skipped)} skipped`]
  if (p.canceled > 0) ended.push(`${n(p.canceled)} canceled`)
  return `${n(settledCount(p))} of ${n(p.total)} items: ${ended.join(', ')}; ${n(p.running)} running, ${n(p.pending)} pending`
}
