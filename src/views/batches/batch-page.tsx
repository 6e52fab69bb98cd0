import type { FC } from 'hono/jsx'
import type { BatchItem, BulkBatch } from '../../db/bulk-batches.js'
import type { Plan } from '../../db/plans.js'
import { describeFilter, filterQuery } from '../../tenancy/bulk-filter.js'
import { BULK_KIND_LABEL } from '../../tenancy/bulk-kinds.js'
import { Button } from '../components/button.js'
import { BackLink, Section } from '../components/section.js'
import { formatDateTime } from '../format.js'
import { BATCH_STATUS_STYLES, changeText, stateText } from './batch-values.js'

export type BatchPageProps = {
  batch: BulkBatch
  items: BatchItem[]
  outcomes: Record<string, number>
  plans: Plan[]
  page: number
  perPage: number
  rollbackBatchId: string | undefined
  /** The operator may make this kind of change (continue it, roll it back). */
  mayAct: boolean
}

const OUTCOME_LABELS: [string, string][] = [
  ['applied', 'changed'],
  ['unchanged', 'already so'],
  ['skipped', 'skipped'],
  ['failed', 'failed'],
  ['pending', 'pending'],
  ['rollback_restored', 'restored by the rollback'],
  ['rollback_skipped', 'skipped by the rollback (changed since)'],
]

const Actions: FC<BatchPageProps> = ({ batch, mayAct }) => {
  if (!mayAct) return null
  if (batch.status === 'applying')
    return (
      <form method="post" action={`/batches/${batch.id}/continuation`} class="mb-4">
        <p class="m-0 mb-2 text-sm">
          This batch stopped before every tenant was changed (each tenant is either changed or not;
          none is half-changed).
        </p>
        <Button>Continue applying</Button>
      </form>
    )
  if (batch.status === 'applied' || batch.status === 'rolling_back')
    return (
      <form method="post" action={`/batches/${batch.id}/rollback`} class="mb-4">
        <p class="m-0 mb-2 text-sm">
          Rolling back restores each tenant’s value from before this batch, where nobody changed it
          since; the others are listed as skipped.
        </p>
        <Button kind="danger">
          {batch.status === 'rolling_back' ? 'Continue the rollback' : 'Roll back this batch'}
        </Button>
      </form>
    )
  return null
}

/** One batch: what it changed, per tenant before → after and outcome, paged (issue 9 item 4). */
export const BatchPage: FC<BatchPageProps> = (p) => {
  const { batch } = p
  const total = Object.entries(p.outcomes)
    .filter(([k]) => !k.startsWith('rollback_'))
    .reduce((n, [, v]) => n + v, 0)
  const pages = Math.max(1, Math.ceil(total / p.perPage))
  const filter = filterQuery.parse(batch.filter)
  return (
    <>
      <BackLink href="/batches">Bulk changes</BackLink>
      <h1 class="m-0 mb-4 text-2xl font-semibold">
        {BULK_KIND_LABEL[batch.kind]}: {changeText(batch.kind, batch.params, p.plans)}
      </h1>
      <Section id="batch-summary" title="Summary">
        <dl class="m-0 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
          <dt class="font-medium">Status</dt>
          <dd class="m-0">
            <span class={`badge ${BATCH_STATUS_STYLES[batch.status]}`}>
              {batch.status.replace('_', ' ')}
            </span>
          </dd>
          <dt class="font-medium">Tenants</dt>
          <dd class="m-0">
            {describeFilter(filter, p.plans)}: {batch.matchedCount} matched (previewed{' '}
            {batch.previewedCount}, accepted drift {batch.acceptedDrift})
          </dd>
          <dt class="font-medium">Outcome</dt>
          <dd class="m-0" id="batch-outcomes">
            {OUTCOME_LABELS.filter(([k]) => p.outcomes[k])
              .map(([k, label]) => `${p.outcomes[k]} ${label}`)
              .join(' · ')}
          </dd>
          <dt class="font-medium">Applied by</dt>
          <dd class="m-0">
            {batch.createdByEmail}, {formatDateTime(batch.createdAt)}
          </dd>
          {batch.rolledBackAt && (
            <>
              <dt class="font-medium">Rolled back</dt>
              <dd class="m-0">{formatDateTime(batch.rolledBackAt)}</dd>
            </>
          )}
          <dt class="font-medium">Audit log</dt>
          <dd class="m-0">
            <a href={`/audit?batch=${batch.id}`} class="text-violet-700 underline">
              Entries of this batch
            </a>
            {p.rollbackBatchId && (
              <>
                {' · '}
                <a href={`/audit?batch=${p.rollbackBatchId}`} class="text-violet-700 underline">
                  Entries of its rollback
                </a>
              </>
            )}
          </dd>
        </dl>
      </Section>
      <Actions {...p} />
      <Section id="batch-items" title="Tenants">
        <div class="overflow-x-auto">
          <table class="w-full text-sm">
            <caption class="sr-only">Result per tenant, by slug</caption>
            <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
              <tr>
                <th scope="col" class="px-3 py-2">
                  Tenant
                </th>
                <th scope="col" class="px-3 py-2">
                  Before
                </th>
                <th scope="col" class="px-3 py-2">
                  After
                </th>
                <th scope="col" class="px-3 py-2">
                  Outcome
                </th>
                <th scope="col" class="px-3 py-2">
                  Rollback
                </th>
              </tr>
            </thead>
            <tbody>
              {p.items.map((i) => (
                <tr id={`item-${i.tenantId}`}>
                  <td class="cell">
                    <a href={`/tenants/${i.tenantId}`} class="font-mono text-violet-700 underline">
                      {i.slug}
                    </a>
                  </td>
                  <td class="cell">{stateText(batch.kind, i.before, p.plans)}</td>
                  <td class="cell">{stateText(batch.kind, i.after, p.plans)}</td>
                  <td class="cell">
                    {i.outcome}
                    {i.note && <span class="block text-xs text-slate-600">{i.note}</span>}
                  </td>
                  <td class="cell">
                    {i.rollbackOutcome ?? '—'}
                    {i.rollbackNote && (
                      <span class="block text-xs text-slate-600">{i.rollbackNote}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {pages > 1 && (
          <nav aria-label="Pages" class="mt-3 flex items-center gap-3 text-sm">
            {p.page > 1 && (
              <a
                rel="prev"
                href={`/batches/${batch.id}?page=${p.page - 1}`}
                class="text-violet-700 underline"
              >
                Previous
              </a>
            )}
            <span class="text-slate-600">
              Page {p.page} of {pages}
            </span>
            {p.page < pages && (
              <a
                rel="next"
                href={`/batches/${batch.id}?page=${p.page + 1}`}
                class="text-violet-700 underline"
              >
                Next
              </a>
            )}
          </nav>
        )}
      </Section>
    </>
  )
}
