import type { FC } from 'hono/jsx'
import type { ListedRun } from '../../db/job-run-lists.js'
import type { JobRunStatus } from '../../db/schema.js'
import { FilterSelect, anyOr } from '../components/filter-field.js'
import { formatDateTime } from '../format.js'
import {
  RUN_STATUS_STYLES,
  durationText,
  kindLabel,
  progressText,
  settledCount,
  startedBy,
} from './job-values.js'

export type JobsPageProps = {
  runs: ListedRun[]
  kinds: string[]
  statuses: readonly JobRunStatus[]
  filter: { kind: string; status: string }
  /** The link to the next (older) page, when there is one. */
  olderHref: string | undefined
  /** This is not the first page. */
  paged: boolean
  now: Date
}

const HEADINGS = [
  'Run',
  'Status',
  'Progress',
  'Done',
  'Failed',
  'Skipped',
  'Started by',
  'Started',
  'Duration',
]

/** /jobs (issue 11 item 1): runs with failures first, then running ones, then the rest. */
export const JobsPage: FC<JobsPageProps> = (p) => (
  <>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Jobs</h1>
    <form method="get" action="/jobs" class="mb-4 flex flex-wrap items-end gap-3" role="search">
      <FilterSelect
        id="filter-kind"
        name="kind"
        label="Kind"
        value={p.filter.kind}
        options={[
          { value: '', label: 'Any kind' },
          ...p.kinds.map((k) => ({ value: k, label: kindLabel(k) })),
        ]}
      />
      <FilterSelect
        id="filter-status"
        name="status"
        label="Status"
        value={p.filter.status}
        options={anyOr('Any status', p.statuses)}
      />
      <button type="submit" class="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm">
        Filter
      </button>
    </form>
    <div class="overflow-x-auto rounded border border-slate-200 bg-white">
      <table class="w-full text-sm" id="job-runs">
        <caption class="sr-only">
          Job runs: with failures first, then running, then newest first
        </caption>
        <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
          <tr>
            {HEADINGS.map((h) => (
              <th scope="col" class="px-3 py-2">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {p.runs.length === 0 && (
            <tr>
              <td colspan={HEADINGS.length} class="px-3 py-6 text-center text-slate-600">
                {p.paged ? 'No older runs.' : 'No job has run yet.'}
              </td>
            </tr>
          )}
          {p.runs.map(({ run, progress }) => (
            <tr id={`run-${run.id}`} class="border-t border-slate-100">
              <td class="cell">
                <a href={`/jobs/${run.id}`} class="text-violet-700 underline">
                  {run.label}
                </a>
                <span class="block text-xs text-slate-600">{kindLabel(run.kind)}</span>
              </td>
              <td class="cell">
                <span class={`badge ${RUN_STATUS_STYLES[run.status]}`}>{run.status}</span>
              </td>
              <td class="cell">
                <progress
                  class="w-32"
                  max={Math.max(progress.total, 1)}
                  value={settledCount(progress)}
                  aria-label={`Progress of ${run.label}`}
                >
                  {settledCount(progress)} of {progress.total}
                </progress>
                <span class="block text-xs text-slate-600">{progressText(progress)}</span>
              </td>
              <td class="cell-num">{progress.done}</td>
              <td class="cell-num">{progress.failed}</td>
              <td class="cell-num">{progress.skipped}</td>
              <td class="cell">{startedBy(run)}</td>
              <td class="cell-nowrap">{formatDateTime(run.createdAt)}</td>
              <td class="cell-nowrap">{durationText(run, p.now)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
    <nav aria-label="Pages" class="mt-3 flex gap-3 text-sm">
      {p.paged && (
        <a href={firstPageHref(p.filter)} class="text-violet-700 underline">
          Newest runs
        </a>
      )}
      {p.olderHref && (
        <a rel="next" href={p.olderHref} class="text-violet-700 underline">
          Older runs
        </a>
      )}
    </nav>
  </>
)

function firstPageHref(filter: { kind: string; status: string }): string {
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== ''))
  return query.size > 0 ? `/jobs?${query}` : '/jobs'
}
