import type { FC } from 'hono/jsx'
import type { JobItem, JobProgress as Progress, JobRun } from '../../db/job-runs.js'
import { BackLink, Section } from '../components/section.js'
import { formatDateTime } from '../format.js'
import { JobActions } from './job-actions.js'
import { JobProgress } from './job-progress.js'
import { ITEM_STATUS_STYLES, durationText, kindLabel, startedBy } from './job-values.js'

export type JobRunPageProps = {
  run: JobRun
  progress: Progress
  failedItems: JobItem[]
  otherItems: JobItem[]
  /** The link to the next page of other items, when there is one. */
  moreHref: string | undefined
  mayAct: boolean
  now: Date
}

/** The run page's poll: the progress, plus the actions swapped out of band. */
export const RUN_PAGE_POLL = 'part=page'

/** /jobs/:id (issue 11 item 1): the run, its progress and actions, failed items first. */
export const JobRunPage: FC<JobRunPageProps> = (p) => (
  <>
    <BackLink href="/jobs">Jobs</BackLink>
    <h1 class="m-0 mb-4 text-2xl font-semibold">{p.run.label}</h1>
    <Section id="run-summary" title="Run">
      <JobProgress
        run={p.run}
        progress={p.progress}
        pollUrl={`/jobs/${p.run.id}?${RUN_PAGE_POLL}`}
      />
      <JobActions run={p.run} progress={p.progress} mayAct={p.mayAct} />
      <RunFacts {...p} />
    </Section>
    <Section id="failed-items" title={`Failed items (${p.progress.failed})`}>
      <ItemsTable items={p.failedItems} caption="Failed items" empty="No item has failed." />
    </Section>
    <Section id="other-items" title="Items">
      <ItemsTable
        items={p.otherItems}
        caption="Items in order, failed ones excepted"
        empty="No more items."
      />
      {p.moreHref && (
        <p class="m-0 mt-3 text-sm">
          <a rel="next" href={p.moreHref} class="text-violet-700 underline">
            Next items
          </a>
        </p>
      )}
    </Section>
  </>
)

const RunFacts: FC<JobRunPageProps> = ({ run, now }) => (
  <dl class="m-0 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
    <dt class="font-medium">Kind</dt>
    <dd class="m-0">{kindLabel(run.kind)}</dd>
    <dt class="font-medium">Started by</dt>
    <dd class="m-0">{startedBy(run)}</dd>
    <dt class="font-medium">Started</dt>
    <dd class="m-0">{formatDateTime(run.createdAt)}</dd>
    <dt class="font-medium">Finished</dt>
    <dd class="m-0">{formatDateTime(run.finishedAt)}</dd>
    <dt class="font-medium">Duration</dt>
    <dd class="m-0">{durationText(run, now)}</dd>
    <dt class="font-medium">Concurrency</dt>
    <dd class="m-0">{run.concurrency}</dd>
    <dt class="font-medium">Stops after</dt>
    <dd class="m-0">{run.stopAfterFailures ? `${run.stopAfterFailures} failures` : 'never'}</dd>
    <dt class="font-medium">Audit</dt>
    <dd class="m-0">
      <a href={`/audit?batch=${run.id}`} class="text-violet-700 underline">
        Audit entries of this run
      </a>
    </dd>
  </dl>
)

function resultText(item: JobItem): string {
  if (item.error) return item.error
  if (!item.result) return ''
  if (typeof item.result.reason === 'string') return item.result.reason
  const text = JSON.stringify(item.result)
  return text.length > 160 ? `${text.slice(0, 159)}…` : text
}

const ItemsTable: FC<{ items: JobItem[]; caption: string; empty: string }> = (p) => (
  <div class="overflow-x-auto">
    <table class="w-full text-sm">
      <caption class="sr-only">{p.caption}</caption>
      <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
        <tr>
          {['#', 'Target', 'Status', 'Attempts', 'Finished', 'Error or result'].map((h) => (
            <th scope="col" class="px-3 py-2">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {p.items.length === 0 && (
          <tr>
            <td colspan={6} class="px-3 py-4 text-center text-slate-600">
              {p.empty}
            </td>
          </tr>
        )}
        {p.items.map((item) => (
          <tr id={`item-${item.seq}`} class="border-t border-slate-100">
            <td class="cell-num">{item.seq}</td>
            <td class="cell">{item.target}</td>
            <td class="cell">
              <span class={`badge ${ITEM_STATUS_STYLES[item.status]}`}>{item.status}</span>
            </td>
            <td class="cell-num">{item.attempts}</td>
            <td class="cell-nowrap">{formatDateTime(item.finishedAt)}</td>
            <td class="cell break-words">{resultText(item)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
)
