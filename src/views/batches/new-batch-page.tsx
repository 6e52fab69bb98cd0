import type { FC } from 'hono/jsx'
import type { FlagChoice } from '../../db/flag-choices.js'
import type { Plan } from '../../db/plans.js'
import type { BulkKind } from '../../db/schema.js'
import { filterParams, type FilterErrors, type FilterQuery } from '../../tenancy/bulk-filter.js'
import { BULK_KIND_LABEL } from '../../tenancy/bulk-kinds.js'
import type { Preview } from '../../tenancy/bulk-preview.js'
import { Button } from '../components/button.js'
import { ApprovalReasonField, type ApprovalFieldProps } from '../approvals/reason-field.js'
import { BackLink, Section } from '../components/section.js'

// The preview of a bulk change (issue 9 item 4): which tenants, what changes for the first 100,
// and the form that applies it. Choosing the change is a GET form; nothing is written here.

export type ChangeParams = { to_plan: string; set_flag: string; set_value: string }
export type ParamErrors = Partial<Record<keyof ChangeParams, string>>

export type NewBatchProps = {
  kind: BulkKind
  filter: FilterQuery
  filterText: string
  filterErrors: FilterErrors
  params: ChangeParams
  paramErrors: ParamErrors
  plans: Plan[]
  flags: FlagChoice[]
  preview?: Preview
  acceptedDrift: string
  driftError?: string
  /** Why the last Apply was refused (the count moved); shown as an alert above the form. */
  refusal?: string
  stepUp: boolean
  /** Dual control (issue 14): the reason field while a bulk suspend needs approval. */
  approval?: ApprovalFieldProps
}

const SELECT = 'rounded border px-2 py-1.5 text-sm'

const ParamSelect: FC<{
  name: keyof ChangeParams
  label: string
  value: string
  error?: string
  options: { value: string; label: string }[]
}> = (p) => (
  <div class="mb-3">
    <label for={`param-${p.name}`} class="mb-1 block text-sm font-medium text-slate-700">
      {p.label}
    </label>
    <select
      id={`param-${p.name}`}
      name={p.name}
      aria-invalid={p.error ? 'true' : undefined}
      aria-describedby={p.error ? `param-${p.name}-error` : undefined}
      class={`${SELECT} ${p.error ? 'border-red-500' : 'border-slate-300'}`}
    >
      <option value="" selected={p.value === ''}>
        Choose…
      </option>
      {p.options.map((o) => (
        <option value={o.value} selected={p.value === o.value}>
          {o.label}
        </option>
      ))}
    </select>
    {p.error && (
      <p id={`param-${p.name}-error`} class="m-0 mt-1 text-sm text-red-700">
        {p.error}
      </p>
    )}
  </div>
)

/** The filter and kind as hidden fields, so the next form carries them unchanged. */
const HiddenFilter: FC<{ filter: FilterQuery; kind: BulkKind }> = (p) => (
  <>
    {[...filterParams(p.filter).entries()].map(([name, value]) => (
      <input type="hidden" name={name} value={value} />
    ))}
    <input type="hidden" name="kind" value={p.kind} />
  </>
)

function valueOptions(flag: FlagChoice | undefined) {
  const values =
    flag?.type === 'string'
      ? flag.variants.map((v) => ({ value: v, label: v }))
      : [
          { value: 'on', label: 'on' },
          { value: 'off', label: 'off' },
        ]
  return [...values, { value: 'clear', label: 'clear the override (back to the flag’s rules)' }]
}

const ChangeChoice: FC<NewBatchProps> = (p) => {
  if (p.kind !== 'plan_change' && p.kind !== 'flag_override') return null
  const flag = p.flags.find((f) => f.key === p.params.set_flag)
  return (
    <Section id="batch-change" title="What to change">
      <form method="get" action="/batches/new">
        <HiddenFilter filter={p.filter} kind={p.kind} />
        {p.kind === 'plan_change' ? (
          <ParamSelect
            name="to_plan"
            label="New plan"
            value={p.params.to_plan}
            error={p.paramErrors.to_plan}
            options={p.plans
              .filter((pl) => !pl.archivedAt)
              .map((pl) => ({ value: pl.id, label: pl.name }))}
          />
        ) : (
          <>
            <ParamSelect
              name="set_flag"
              label="Flag"
              value={p.params.set_flag}
              error={p.paramErrors.set_flag}
              options={p.flags.map((f) => ({ value: f.key, label: f.key }))}
            />
            <ParamSelect
              name="set_value"
              label="Override"
              value={p.params.set_value}
              error={p.paramErrors.set_value}
              options={valueOptions(flag)}
            />
          </>
        )}
        <Button kind="plain">Preview</Button>
      </form>
    </Section>
  )
}

const PreviewTable: FC<{ preview: Preview }> = ({ preview }) => (
  <div class="overflow-x-auto">
    <table class="w-full text-sm" id="preview-rows">
      <caption class="sr-only">The first {preview.rows.length} tenants and what changes</caption>
      <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
        <tr>
          <th scope="col" class="px-3 py-2">
            Tenant
          </th>
          <th scope="col" class="px-3 py-2">
            Before → after
          </th>
        </tr>
      </thead>
      <tbody>
        {preview.rows.map((r) => (
          <tr id={`preview-${r.tenant.id}`}>
            <td class="cell font-mono">{r.tenant.slug}</td>
            <td class="cell">
              {r.effect === 'change'
                ? `${r.before} → ${r.after}`
                : r.effect === 'unchanged'
                  ? `${r.before} (unchanged)`
                  : `${r.before} (skipped: cannot take this change)`}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
)

const ApplyForm: FC<NewBatchProps & { preview: Preview }> = (p) => (
  <form method="post" action="/batches" class="mt-4">
    <HiddenFilter filter={p.filter} kind={p.kind} />
    {p.kind === 'plan_change' && <input type="hidden" name="to_plan" value={p.params.to_plan} />}
    {p.kind === 'flag_override' && (
      <>
        <input type="hidden" name="set_flag" value={p.params.set_flag} />
        <input type="hidden" name="set_value" value={p.params.set_value} />
      </>
    )}
    <input type="hidden" name="previewed_count" value={String(p.preview.count)} />
    <div class="mb-3">
      <label for="field-accepted_drift" class="mb-1 block text-sm font-medium text-slate-700">
        Refuse if the count moved by more than
      </label>
      <input
        id="field-accepted_drift"
        name="accepted_drift"
        type="number"
        min="0"
        inputmode="numeric"
        value={p.acceptedDrift}
        aria-invalid={p.driftError ? 'true' : undefined}
        aria-describedby={p.driftError ? 'field-accepted_drift-error' : 'field-accepted_drift-hint'}
        class={`w-32 rounded border px-3 py-2 text-sm ${p.driftError ? 'border-red-500' : 'border-slate-300'}`}
      />
      {p.driftError ? (
        <p id="field-accepted_drift-error" class="m-0 mt-1 text-sm text-red-700">
          {p.driftError}
        </p>
      ) : (
        <p id="field-accepted_drift-hint" class="m-0 mt-1 text-xs text-slate-600">
          Tenants: the filter is evaluated again when you apply.
        </p>
      )}
    </div>
    {p.stepUp && (
      <p class="m-0 mb-2 text-sm text-slate-700">
        Suspending needs a fresh authenticator code; you will be asked for one if yours is older
        than 10 minutes.
      </p>
    )}
    {p.approval && <ApprovalReasonField {...p.approval} />}
    <Button kind={p.kind === 'suspend' ? 'danger' : 'primary'}>
      {p.approval ? 'Request approval to apply' : 'Apply'} to {p.preview.count} tenant
      {p.preview.count === 1 ? '' : 's'}
    </Button>
  </form>
)

/** The whole preview page. */
export const NewBatchPage: FC<NewBatchProps> = (p) => (
  <>
    <BackLink href={`/tenants?${filterParams(p.filter)}`}>Tenants</BackLink>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Bulk change: {BULK_KIND_LABEL[p.kind]}</h1>
    {p.refusal && (
      <div
        role="alert"
        class="mb-4 rounded border border-red-300 bg-red-50 px-4 py-2 text-sm text-red-900"
      >
        {p.refusal}
      </div>
    )}
    <Section id="batch-filter" title="Which tenants">
      <p class="m-0 text-sm" id="filter-words">
        {p.filterText}
      </p>
      {Object.values(p.filterErrors).map((e) => (
        <p role="alert" class="m-0 mt-2 text-sm text-red-700">
          {e}
        </p>
      ))}
    </Section>
    <ChangeChoice {...p} />
    {p.preview && (
      <Section
        id="batch-preview"
        title={`Preview: ${p.preview.count} tenant${p.preview.count === 1 ? '' : 's'} match`}
      >
        {p.preview.count === 0 ? (
          <p class="m-0 text-sm">No tenant matches this filter: there is nothing to change.</p>
        ) : (
          <>
            <p class="m-0 mb-2 text-sm text-slate-600">
              {p.preview.count > p.preview.rows.length
                ? `The first ${p.preview.rows.length}, oldest first.`
                : 'Every matching tenant, oldest first.'}
            </p>
            <PreviewTable preview={p.preview} />
            <ApplyForm {...p} preview={p.preview} />
          </>
        )}
      </Section>
    )}
  </>
)
