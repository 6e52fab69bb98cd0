import type { FC } from 'hono/jsx'
import type { JobProgress, JobRun } from '../../db/job-runs.js'
import { Button } from '../components/button.js'

export type JobActionsProps = {
  run: JobRun
  progress: JobProgress
  mayAct: boolean
  /** Swapped out of band by the run page's progress poll, so the actions follow the run. */
  oob?: boolean
}

/** Resume applies to a paused run, or one stopped after K failures that still has pending items. */
export function mayResume(run: JobRun, progress: JobProgress): boolean {
  return run.status === 'paused' || (run.status === 'failed' && progress.pending > 0)
}

export function mayCancel(run: JobRun, progress: JobProgress): boolean {
  return run.status === 'running' || mayResume(run, progress)
}

/**
 * What the operator may do to the run now (saas.fleet.run): pause, resume, cancel (asks first:
 * `hx-confirm` under htmx, a confirmation page without JavaScript), retry failed items.
 */
export const JobActions: FC<JobActionsProps> = ({ run, progress, mayAct, oob }) => {
  const url = `/jobs/${run.id}`
  const actions = [
    run.status === 'running' && (
      <form method="post" action={`${url}/pause`}>
        <Button kind="plain">Pause</Button>
      </form>
    ),
    mayResume(run, progress) && (
      <form method="post" action={`${url}/pause`}>
        <input type="hidden" name="_method" value="DELETE" />
        <Button>Resume</Button>
      </form>
    ),
    progress.failed > 0 && run.status !== 'canceled' && (
      <form method="post" action={`${url}/retries`}>
        <Button>Retry {progress.failed} failed</Button>
      </form>
    ),
    mayCancel(run, progress) && (
      <form
        method="get"
        action={`${url}/cancellation/new`}
        hx-post={`${url}/cancellation`}
        hx-confirm={`Cancel “${run.label}”? Its ${progress.pending} pending items will not run.`}
      >
        <Button kind="danger">Cancel run</Button>
      </form>
    ),
  ].filter(Boolean)
  return (
    <div id="job-actions" class="mb-4 flex flex-wrap gap-2" hx-swap-oob={oob ? 'true' : undefined}>
      {!mayAct ? null : actions.length > 0 ? (
        actions
      ) : (
        <p class="m-0 text-sm text-slate-600">The run has ended; nothing is left to do.</p>
      )}
    </div>
  )
}

/** The no-JavaScript confirmation of a cancellation: what it does, the button, the way back. */
export const CancelConfirmPage: FC<{ run: JobRun; progress: JobProgress }> = ({
  run,
  progress,
}) => (
  <>
    <p class="m-0 mb-2 text-sm">
      <a href={`/jobs/${run.id}`} class="text-violet-700 underline">
        ← {run.label}
      </a>
    </p>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Cancel “{run.label}”?</h1>
    <p class="m-0 mb-4 text-sm">
      Its {progress.pending} pending items will not run; the {progress.running} in flight finish. A
      canceled run cannot be resumed.
    </p>
    <form method="post" action={`/jobs/${run.id}/cancellation`}>
      <Button kind="danger">Cancel run</Button>
    </form>
  </>
)
