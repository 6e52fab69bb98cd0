import type { FC } from 'hono/jsx'
import { roleCan } from '../../auth/permissions.js'
import type { FeatureFlag } from '../../db/flags.js'
import type { Plan } from '../../db/plans.js'
import type { SuperAdmin } from '../../db/super-admins.js'
import { valueLabel } from '../../flags/flag-rules.js'
import { Button, ButtonLink } from '../components/button.js'
import { FilterSelect } from '../components/filter-field.js'
import { formatDate } from '../format.js'
import { planValuesText, rolloutText } from './flag-words.js'

export const FLAG_STATES = ['active', 'archived', 'all'] as const
export type FlagState = (typeof FLAG_STATES)[number]

export type FlagsPageProps = {
  operator: SuperAdmin
  flags: FeatureFlag[]
  overrideCounts: Map<string, number>
  plans: Plan[]
  state: FlagState
}

/** The table of flags; the state filter swaps it under htmx. */
export const FlagTable: FC<FlagsPageProps> = (p) => (
  <div id="flag-table">
    <p class="m-0 mb-2 text-xs text-slate-600">
      {p.flags.length} flag{p.flags.length === 1 ? '' : 's'}
    </p>
    <div class="overflow-x-auto rounded border border-slate-200 bg-white">
      <table class="w-full text-sm" data-keyboard-table>
        <caption class="sr-only">Feature flags, by key</caption>
        <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
          <tr>
            {[
              'Key',
              'Description',
              'Type',
              'Default',
              'Rollout',
              'Plan values',
              'Overrides',
              'Archived',
            ].map((h) => (
              <th scope="col" class="px-3 py-2">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {p.flags.length === 0 && (
            <tr>
              <td colspan={8} class="px-3 py-6 text-center text-slate-600">
                {p.state === 'archived' ? 'No archived flags.' : 'No flags yet.'}
              </td>
            </tr>
          )}
          {p.flags.map((f) => (
            <tr id={`flag-${f.key}`} class="row-link" data-href={`/flags/${f.key}`} tabindex={-1}>
              <td class="cell font-mono">
                <a href={`/flags/${f.key}`} class="row-link-text">
                  {f.key}
                </a>
              </td>
              <td class="cell">{f.description}</td>
              <td class="cell">
                {f.type === 'boolean' ? 'boolean' : `string (${f.variants.join(', ')})`}
              </td>
              <td class="cell">{valueLabel(f.defaultValue)}</td>
              <td class="cell">{rolloutText(f, p.plans)}</td>
              <td class="cell">{planValuesText(f, p.plans)}</td>
              <td class="cell-num">{p.overrideCounts.get(f.id) ?? 0}</td>
              <td class="cell-nowrap">{f.archivedAt ? formatDate(f.archivedAt) : 'No'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  </div>
)

/** /flags: every flag with its rules at a glance, filtered by state. */
export const FlagsPage: FC<FlagsPageProps> = (p) => (
  <>
    <div class="mb-4 flex items-center justify-between">
      <h1 class="m-0 text-2xl font-semibold">Feature flags</h1>
      {roleCan(p.operator.role, 'saas.flags.edit') && (
        <ButtonLink href="/flags/new" accesskey="n">
          New flag
        </ButtonLink>
      )}
    </div>
    <form
      method="get"
      action="/flags"
      class="mb-4 flex flex-wrap items-end gap-3"
      hx-get="/flags"
      hx-target="#flag-table"
      hx-swap="outerHTML"
      hx-trigger="change from:#flag-state, submit"
      hx-push-url="true"
    >
      <FilterSelect
        id="flag-state"
        name="state"
        label="Show"
        value={p.state}
        options={[
          { value: 'active', label: 'Active flags' },
          { value: 'archived', label: 'Archived flags' },
          { value: 'all', label: 'All flags' },
        ]}
      />
      <Button kind="plain">Filter</Button>
    </form>
    <FlagTable {...p} />
  </>
)
