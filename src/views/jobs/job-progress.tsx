import type { FC } from 'hono/jsx'
import type { JobProgress as Progress, JobRun } from '../../db/job-runs.js'
import { POLL_HEADER } from '../../web/guards.js'
import { RUN_STATUS_STYLES, progressText, settledCount } from './job-values.js'

export type JobProgressProps = {
  run: JobRun
  progress: Progress
  /** What the poll fetches (default `/jobs/<id>`, which answers this fragment under htmx). */
  pollUrl?: string
}

/** The run polls while it runs, and while a paused run's items in flight settle. */
export function runIsLive(run: JobRun, progress: Progress): boolean {
  return run.status === 'running' || (run.status === 'paused' && progress.running > 0)
}

/**
 * A run's progress (issue 11 item 1): status, a labelled <progress> bar, the counts in text and
 * why it stopped. While the run is live it polls every 2 s with the poll header, so watching a
 * run does not keep the session alive (src/web/guards.ts); once it has ended it stops polling.
 * Other pages embed it (fleet migrations, backups) with the run and its progressOf().
 */
export const JobProgress: FC<JobProgressProps> = ({ run, progress, pollUrl }) => {
  const live = runIsLive(run, progress)
  return (
    <div
      id={`job-progress-${run.id}`}
      class="mb-4"
      hx-get={live ? (pollUrl ?? `/jobs/${run.id}`) : undefined}
      hx-trigger={live ? 'every 2s' : undefined}
      hx-swap={live ? 'outerHTML' : undefined}
      hx-headers={live ? JSON.stringify({ [POLL_HEADER]: '1' }) : undefined}
    >
      <p class="m-0 mb-2 flex items-center gap-2 text-sm">
        <span class={`badge ${RUN_STATUS_STYLES[run.status]}`}>{run.status}</span>
        <span id={`job-progress-${run.id}-text`}>{progressText(progress)}</span>
      </p>
      <progress
        class="h-3 w-full max-w-xl"
        max={Math.max(progress.total, 1)}
        value={settledCount(progress)}
        aria-label={`Progress of ${run.label}`}
        aria-describedby={`job-progress-${run.id}-text`}
      >
        {settledCount(progress)} of {progress.total}
      </progress>
      {run.stopReason && <p class="m-0 mt-2 text-sm text-slate-700">{run.stopReason}</p>}
    </div>
  )
}
