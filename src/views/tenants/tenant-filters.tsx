import type { FC } from 'hono/jsx'
import type { FlagChoice } from '../../db/flag-choices.js'
import type { SuperAdmin } from '../../db/super-admins.js'
import { filterParams } from '../../tenancy/bulk-filter.js'
import { BULK_KIND_LABEL, bulkKindsFor } from '../../tenancy/bulk-kinds.js'
import { Button } from '../components/button.js'
import { FilterField, FilterSelect } from '../components/filter-field.js'
import type { TenantDunningFilter } from '../../db/tenants.js'
import type { TenantFilterErrors, TenantListQuery } from './tenants-page.js'

// The tenants list's flag-state filter and its "Change…" control (issue 9 item 4).

/** A flag and the state its resolved value must have: on/off, or one of its variants. */
export const FlagFilter: FC<{
  query: TenantListQuery
  flags: FlagChoice[]
  errors: TenantFilterErrors
}> = ({ query, flags, errors }) => {
  const variantFlags = flags.filter((f) => f.type === 'string')
  const known = new Set(['', 'on', 'off', ...variantFlags.flatMap((f) => f.variants)])
  return (
    <>
      <FilterField id="tenant-flag" label="Flag" error={errors.flag}>
        <select
          id="tenant-flag"
          name="flag"
          aria-invalid={errors.flag ? 'true' : undefined}
          aria-describedby={errors.flag ? 'tenant-flag-error' : undefined}
          class="rounded border border-slate-300 px-2 py-1.5 text-sm"
        >
          <option value="" selected={query.flag === ''}>
            Any flag state
          </option>
          {flags.map((f) => (
            <option value={f.key} selected={query.flag === f.key}>
              {f.key}
            </option>
          ))}
          {query.flag && !flags.some((f) => f.key === query.flag) && (
            <option value={query.flag} selected>
              {query.flag}
            </option>
          )}
        </select>
      </FilterField>
      <FilterField id="tenant-flag-state" label="Flag state" error={errors.flag_state}>
        <select
          id="tenant-flag-state"
          name="flag_state"
          aria-invalid={errors.flag_state ? 'true' : undefined}
          aria-describedby={errors.flag_state ? 'tenant-flag-state-error' : undefined}
          class="rounded border border-slate-300 px-2 py-1.5 text-sm"
        >
          <option value="" selected={query.flag_state === ''}>
            Any
          </option>
          <option value="on" selected={query.flag_state === 'on'}>
            on
          </option>
          <option value="off" selected={query.flag_state === 'off'}>
            off
          </option>
          {variantFlags.map((f) => (
            <optgroup label={`Variants of ${f.key}`}>
              {f.variants.map((v) => (
                <option value={v} selected={query.flag_state === v && query.flag === f.key}>
                  {v}
                </option>
              ))}
            </optgroup>
          ))}
          {!known.has(query.flag_state) && (
            <option value={query.flag_state} selected>
              {query.flag_state}
            </option>
          )}
        </select>
      </FilterField>
    </>
  )
}

/**
 * "Change…" for the tenants the filter lists: a GET to the preview with the filter and the kind
 * chosen. Only the kinds the operator's role may make; nothing at all for viewers and support.
 */
export const BulkChangeForm: FC<{ query: TenantListQuery; operator: SuperAdmin; total: number }> = (
  p,
) => {
  const kinds = bulkKindsFor(p.operator.role)
  if (kinds.length === 0) return null
  const hidden = [...filterParams(p.query).entries()]
  return (
    <form
      method="get"
      action="/batches/new"
      id="bulk-change"
      class="mb-3 flex flex-wrap items-end gap-2 rounded border border-slate-200 bg-slate-50 px-3 py-2"
    >
      {hidden.map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <FilterField id="bulk-kind" label={`Change the ${p.total} listed tenants`}>
        <select
          id="bulk-kind"
          name="kind"
          class="rounded border border-slate-300 px-2 py-1.5 text-sm"
        >
          {kinds.map((k) => (
            <option value={k}>{BULK_KIND_LABEL[k]}</option>
          ))}
        </select>
      </FilterField>
      <Button kind="plain">Change…</Button>
    </form>
  )
}

const DUNNING_CHOICES = [
  { value: '', label: 'Any' },
  { value: 'in', label: 'In dunning' },
  { value: 'suggest_suspend', label: 'Suggest suspend (over 7 days)' },
]

/** The billing dunning filter (issue 12): `?dunning=in` or `?dunning=suggest_suspend`. */
export const DunningFilter: FC<{ dunning: TenantDunningFilter | '' }> = ({ dunning }) => (
  <FilterSelect
    id="tenant-dunning"
    name="dunning"
    label="Dunning"
    value={dunning}
    options={DUNNING_CHOICES}
  />
)

/**
 * The Citus node filter (issue 13 item 5): `?node=host:port`, offered only on Citus, whose
 * nodes the route passes. A value no node has is kept (the list then matches nothing, as for
 * an unknown plan).
 */
export const NodeFilter: FC<{ node: string; nodes: string[] }> = ({ node, nodes }) => (
  <FilterSelect
    id="tenant-node"
    name="node"
    label="Node"
    value={node}
    options={[
      { value: '', label: 'All nodes' },
      ...nodes.map((n) => ({ value: n, label: n })),
      ...(node && !nodes.includes(node) ? [{ value: node, label: `${node} (not a node)` }] : []),
    ]}
  />
)
