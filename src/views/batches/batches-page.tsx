import type { FC } from 'hono/jsx'
import type { BulkBatch } from '../../db/bulk-batches.js'
import type { Plan } from '../../db/plans.js'
import { BULK_KIND_LABEL } from '../../tenancy/bulk-kinds.js'
import { formatDateTime } from '../format.js'
import { BATCH_STATUS_STYLES, changeText } from './batch-values.js'

/** Every bulk batch, newest first: kind, who, when, how many, status (issue 9 item 4). */
export const BatchesPage: FC<{
  batches: BulkBatch[]
  plans: Plan[]
  page: number
  hasMore: boolean
}> = (p) => (
  <>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Bulk changes</h1>
    <p class="m-0 mb-4 text-sm text-slate-600">
      A bulk change starts on the tenants list: filter it, then choose “Change…”.
    </p>
    <div class="overflow-x-auto rounded border border-slate-200 bg-white">
      <table class="w-full text-sm" id="batches">
        <caption class="sr-only">Bulk changes, newest first</caption>
        <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
          <tr>
            <th scope="col" class="px-3 py-2">
              When
            </th>
            <th scope="col" class="px-3 py-2">
              Kind
            </th>
            <th scope="col" class="px-3 py-2">
              Change
            </th>
            <th scope="col" class="px-3 py-2">
              By
            </th>
            <th scope="col" class="px-3 py-2 text-right">
              Tenants
            </th>
            <th scope="col" class="px-3 py-2">
              Status
            </th>
          </tr>
        </thead>
        <tbody>
          {p.batches.length === 0 && (
            <tr>
              <td colspan={6} class="px-3 py-6 text-center text-slate-600">
                No bulk change has been made yet.
              </td>
            </tr>
          )}
          {p.batches.map((b) => (
            <tr id={`batch-${b.id}`}>
              <td class="cell-nowrap">
                <a href={`/batches/${b.id}`} class="text-violet-700 underline">
                  {formatDateTime(b.createdAt)}
                </a>
              </td>
              <td class="cell">{BULK_KIND_LABEL[b.kind]}</td>
              <td class="cell">{changeText(b.kind, b.params, p.plans)}</td>
              <td class="cell">{b.createdByEmail}</td>
              <td class="cell-num">{b.matchedCount ?? b.previewedCount}</td>
              <td class="cell">
                <span class={`badge ${BATCH_STATUS_STYLES[b.status]}`}>
                  {b.status.replace('_', ' ')}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
    <nav aria-label="Pages" class="mt-3 flex gap-3 text-sm">
      {p.page > 1 && (
        <a rel="prev" href={`/batches?page=${p.page - 1}`} class="text-violet-700 underline">
          Previous
        </a>
      )}
      {p.hasMore && (
        <a rel="next" href={`/batches?page=${p.page + 1}`} class="text-violet-700 underline">
          Next
        </a>
      )}
    </nav>
  </>
)
