import type { FC } from 'hono/jsx'
import type { FlagTenantItem } from '../../db/flag-tenants.js'
import type { FeatureFlag } from '../../db/flags.js'
import type { Plan } from '../../db/plans.js'
import { valueLabel, valueOptions } from '../../flags/flag-rules.js'
import { Button } from '../components/button.js'
import { FilterField, FilterSelect } from '../components/filter-field.js'
import { whyText } from './flag-words.js'

/** The resolved-table filter as typed (the flag page's query string). */
export type FlagTenantQuery = { why: string; value: string; q: string; plan: string; page: number }

export const WHY_OPTIONS = [
  { value: '', label: 'Any reason' },
  { value: 'override', label: 'Override' },
  { value: 'rollout', label: 'Rollout' },
  { value: 'plan', label: 'Plan value' },
  { value: 'default', label: 'Default' },
  { value: 'archived', label: 'Archived' },
] as const

export type FlagTenantsProps = {
  flag: FeatureFlag
  plans: Plan[]
  items: FlagTenantItem[]
  total: number
  perPage: number
  query: FlagTenantQuery
}

/** `/flags/:key` with the table's query, leaving out what is empty. */
export function flagTenantsUrl(key: string, query: FlagTenantQuery, page = query.page): string {
  const params = new URLSearchParams()
  if (query.why) params.set('why', query.why)
  if (query.value) params.set('value', query.value)
  if (query.q) params.set('q', query.q)
  if (query.plan) params.set('plan', query.plan)
  if (page > 1) params.set('page', String(page))
  const s = params.toString()
  return `/flags/${key}${s ? `?${s}` : ''}#resolved`
}

/** The flag's value for every tenant, paged; what the filter form swaps. */
export const FlagTenantTable: FC<FlagTenantsProps> = (p) => {
  const pages = Math.max(1, Math.ceil(p.total / p.perPage))
  const planName = (id: string) => p.plans.find((x) => x.id === id)?.name ?? id
  return (
    <div id="flag-tenants">
      <p class="m-0 mb-2 text-xs text-slate-600">
        {p.total} tenant{p.total === 1 ? '' : 's'}
      </p>
      <div class="overflow-x-auto rounded border border-slate-200 bg-white">
        <table class="w-full text-sm">
          <caption class="sr-only">The value of {p.flag.key} for each tenant, and why</caption>
          <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
            <tr>
              {['Tenant', 'Name', 'Plan', 'Status', 'Value', 'Why'].map((h) => (
                <th scope="col" class="px-3 py-2">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {p.items.length === 0 && (
              <tr>
                <td colspan={6} class="px-3 py-6 text-center text-slate-600">
                  No tenants match.
                </td>
              </tr>
            )}
            {p.items.map((t) => (
              <tr id={`flag-tenant-${t.id}`}>
                <td class="cell font-mono">
                  <a href={`/tenants/${t.id}`} class="text-violet-700 underline">
                    {t.slug}
                  </a>
                </td>
                <td class="cell">{t.name}</td>
                <td class="cell">{planName(t.planId)}</td>
                <td class="cell">{t.status}</td>
                <td class="cell font-medium">{valueLabel(t.value)}</td>
                <td class="cell">{whyText(t.why, p.flag, p.plans, t.planId)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <nav aria-label="Pages of tenants" class="mt-3 flex items-center gap-3 text-sm">
          {p.query.page > 1 && (
            <a
              rel="prev"
              href={flagTenantsUrl(p.flag.key, p.query, p.query.page - 1)}
              class="text-violet-700 underline"
            >
              Previous
            </a>
          )}
          <span class="text-slate-600">
            Page {p.query.page} of {pages}
          </span>
          {p.query.page < pages && (
            <a
              rel="next"
              href={flagTenantsUrl(p.flag.key, p.query, p.query.page + 1)}
              class="text-violet-700 underline"
            >
              Next
            </a>
          )}
        </nav>
      )}
    </div>
  )
}

/** Why, value, search and plan: a GET form; under htmx it swaps the table. */
export const FlagTenantFilters: FC<{ flag: FeatureFlag; plans: Plan[]; query: FlagTenantQuery }> = (
  p,
) => (
  <form
    method="get"
    action={`/flags/${p.flag.key}`}
    class="mb-3 flex flex-wrap items-end gap-3"
    hx-get={`/flags/${p.flag.key}`}
    hx-target="#flag-tenants"
    hx-swap="outerHTML"
    hx-trigger="input changed delay:250ms from:#flag-tenant-search, change from:#flag-tenant-why, change from:#flag-tenant-value, change from:#flag-tenant-plan, submit"
    hx-push-url="true"
  >
    <FilterField id="flag-tenant-search" label="Search slug or name">
      <input
        id="flag-tenant-search"
        type="search"
        name="q"
        value={p.query.q}
        autocomplete="off"
        class="w-56 max-w-full rounded border border-slate-300 px-3 py-1.5 text-sm"
      />
    </FilterField>
    <FilterSelect
      id="flag-tenant-why"
      name="why"
      label="Why"
      value={p.query.why}
      options={WHY_OPTIONS}
    />
    <FilterSelect
      id="flag-tenant-value"
      name="value"
      label="Value"
      value={p.query.value}
      options={[{ value: '', label: 'Any value' }, ...valueOptions(p.flag)]}
    />
    <FilterSelect
      id="flag-tenant-plan"
      name="plan"
      label="Plan"
      value={p.query.plan}
      options={[
        { value: '', label: 'All plans' },
        ...p.plans.map((x) => ({ value: x.id, label: x.name })),
      ]}
    />
    <Button kind="plain">Filter</Button>
  </form>
)
