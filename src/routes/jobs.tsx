import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { roleCan } from '../auth/permissions.js'
import { listJobItems, listJobRunKinds, listJobRuns } from '../db/job-run-lists.js'
import { findJobRun, progressOf } from '../db/job-runs.js'
import { isUuid } from '../db/tenants.js'
import {
  cancelJobRun,
  pauseJobRun,
  resumeJobRun,
  retryFailedJobItems,
  type RunControlResult,
} from '../jobs/run-control.js'
import { CancelConfirmPage, JobActions, mayCancel } from '../views/jobs/job-actions.js'
import { JobProgress } from '../views/jobs/job-progress.js'
import { JobRunPage, RUN_PAGE_POLL } from '../views/jobs/job-run-page.js'
import { JobsPage } from '../views/jobs/jobs-page.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { requirePermission } from '../web/guards.js'
import { pageOrFragment } from '../web/render.js'
import { auditContext, redirectTo } from '../web/request.js'
import { encodeRunCursor, listQuery, RUN_STATUSES, RUNS_PER_PAGE } from './jobs-query.js'

// Jobs (issue 11 item 1): the runs, one run with its items, and the verbs on a run. Seeing needs
// saas.system.view, steering saas.fleet.run.

const ITEMS_PER_PAGE = 100
const runQuery = z.object({
  after: z.coerce.number().int().min(0).max(10_000_000).optional(),
  part: z.enum(['page']).optional(),
})

export const jobRoutes = new Hono<AppEnv>()

jobRoutes.get('/', requirePermission('saas.system.view'), async (c) => {
  const parsed = listQuery.safeParse(c.req.query())
  if (!parsed.success) throw new HTTPException(400, { message: 'Malformed jobs filter.' })
  const { kind, status, after } = parsed.data
  const [runs, kinds] = await Promise.all([
    listJobRuns(c.var.db, { kind, status }, after, RUNS_PER_PAGE + 1),
    listJobRunKinds(c.var.db),
  ])
  const filter = { kind: kind ?? '', status: status ?? '' }
  const last = runs.length > RUNS_PER_PAGE ? runs[RUNS_PER_PAGE - 1] : undefined
  const older = last && new URLSearchParams({ ...filter, after: encodeRunCursor(last) })
  return c.render(
    <JobsPage
      runs={runs.slice(0, RUNS_PER_PAGE)}
      {...{ kinds, filter, statuses: RUN_STATUSES, now: c.var.now() }}
      olderHref={older && `/jobs?${older}`}
      paged={after !== undefined}
    />,
    { title: 'Jobs' },
  )
})

/** The run of `:id` and its counts, or 404 (also for an id that is not a uuid). */
async function runOr404(c: Context<AppEnv>) {
  const id = c.req.param('id') ?? ''
  const run = isUuid(id) ? await findJobRun(c.var.db, id) : undefined
  if (!run) throw new HTTPException(404, { message: 'No such job run.' })
  return { run, progress: await progressOf(c.var.db, run.id) }
}

jobRoutes.get('/:id', requirePermission('saas.system.view'), async (c) => {
  const { run, progress } = await runOr404(c)
  const parsed = runQuery.safeParse(c.req.query())
  if (!parsed.success) throw new HTTPException(400, { message: 'Malformed item page.' })
  const { after, part } = parsed.data
  const mayAct = roleCan(c.var.operator.role, 'saas.fleet.run')
  const [failedItems, otherItems] = await Promise.all([
    listJobItems(c.var.db, run.id, { status: 'failed', limit: ITEMS_PER_PAGE }),
    part ? [] : listJobItems(c.var.db, run.id, { afterSeq: after, limit: ITEMS_PER_PAGE }),
  ])
  const lastSeq = otherItems.length === ITEMS_PER_PAGE ? otherItems.at(-1)!.seq : undefined
  const props = { run, progress, failedItems, otherItems, mayAct, now: c.var.now() }
  return pageOrFragment(
    c,
    () => (
      <>
        <JobProgress
          run={run}
          progress={progress}
          pollUrl={part && `/jobs/${run.id}?${RUN_PAGE_POLL}`}
        />
        {part && <JobActions {...props} oob />}
      </>
    ),
    () => (
      <JobRunPage
        {...props}
        moreHref={lastSeq === undefined ? undefined : `/jobs/${run.id}?after=${lastSeq}`}
      />
    ),
    { title: run.label },
  )
})

/** After a verb: a flash saying what happened (or why not), back to the run. */
async function answer(c: Context<AppEnv>, runId: string, result: RunControlResult, done: string) {
  await setFlash(
    c,
    result.ok
      ? { kind: 'success', text: done }
      : { kind: 'error', text: `Nothing was changed: ${result.reason}.` },
  )
  return redirectTo(c, `/jobs/${runId}`)
}

const mayRun = requirePermission('saas.fleet.run')

jobRoutes.post('/:id/pause', mayRun, async (c) => {
  const { run } = await runOr404(c)
  const result = await pauseJobRun(c.var.db, auditContext(c), run.id, c.var.now())
  return answer(c, run.id, result, 'Run paused: items in flight finish, no new ones start.')
})

jobRoutes.delete('/:id/pause', mayRun, async (c) => {
  const { run } = await runOr404(c)
  const result = await resumeJobRun(c.var.db, auditContext(c), run.id, c.var.now())
  return answer(c, run.id, result, 'Run resumed.')
})

jobRoutes.get('/:id/cancellation/new', mayRun, async (c) => {
  const { run, progress } = await runOr404(c)
  if (!mayCancel(run, progress)) {
    await setFlash(c, { kind: 'error', text: 'The run has already finished: nothing to cancel.' })
    return redirectTo(c, `/jobs/${run.id}`)
  }
  return c.render(<CancelConfirmPage run={run} progress={progress} />, { title: 'Cancel run' })
})

jobRoutes.post('/:id/cancellation', mayRun, async (c) => {
  const { run } = await runOr404(c)
  const result = await cancelJobRun(c.var.db, auditContext(c), run.id, c.var.now())
  return answer(c, run.id, result, 'Run canceled: pending items will not run.')
})

jobRoutes.post('/:id/retries', mayRun, async (c) => {
  const { run } = await runOr404(c)
  const result = await retryFailedJobItems(c.var.db, auditContext(c), run.id, c.var.now())
  return answer(c, run.id, result, 'Failed items queued again.')
})
