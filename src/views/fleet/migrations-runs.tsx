import type { FC } from 'hono/jsx'
import type { MigrationRunSummary } from '../../db/migration-runs.js'
import { formatDateTime } from '../format.js'

/** The latest fleet migration runs with their progress, each linking to its job page. */
export const MigrationRuns: FC<{ runs: MigrationRunSummary[] }> = (p) => (
  <div class="overflow-x-auto">
    <table class="w-full text-sm" id="migration-runs">
      <caption class="sr-only">Fleet migration runs, newest first</caption>
      <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
        <tr>
          <th scope="col" class="px-3 py-2">
            Started
          </th>
          <th scope="col" class="px-3 py-2">
            Run
          </th>
          <th scope="col" class="px-3 py-2">
            By
          </th>
          <th scope="col" class="px-3 py-2">
            Progress
          </th>
          <th scope="col" class="px-3 py-2 text-right">
            Migrated
          </th>
          <th scope="col" class="px-3 py-2 text-right">
            Skipped
          </th>
          <th scope="col" class="px-3 py-2 text-right">
            Failed
          </th>
          <th scope="col" class="px-3 py-2">
            Status
          </th>
        </tr>
      </thead>
      <tbody>
        {p.runs.length === 0 && (
          <tr>
            <td colspan={8} class="px-3 py-6 text-center text-slate-600">
              No fleet migration has run yet.
            </td>
          </tr>
        )}
        {p.runs.map((r) => (
          <tr id={`run-${r.id}`}>
            <td class="cell-nowrap">
              <a href={`/jobs/${r.id}`} class="text-violet-700 underline">
                {formatDateTime(r.createdAt)}
              </a>
            </td>
            <td class="cell">{r.label}</td>
            <td class="cell">{r.createdByEmail ?? 'command line'}</td>
            <td class="cell">
              <progress
                max={r.total}
                value={r.total - r.open}
                aria-label={`${r.total - r.open} of ${r.total} tenants`}
              />{' '}
              {r.total - r.open} / {r.total}
            </td>
            <td class="cell-num">{r.done}</td>
            <td class="cell-num">{r.skipped}</td>
            <td class="cell-num">{r.failed}</td>
            <td class="cell">{r.stopReason ? `${r.status}: ${r.stopReason}` : r.status}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
)
