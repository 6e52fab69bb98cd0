import type { FC } from 'hono/jsx'

// The list pages' filter controls (tenants, users, join requests): a labelled field, and the
// common case of a select with an "any" choice first.

/** One filter: its label above, the control, and the message under it when it was refused. */
export const FilterField: FC<{ id: string; label: string; error?: string; children: unknown }> = (
  p,
) => (
  <div>
    <label for={p.id} class="block text-xs font-medium text-slate-700 mb-1">
      {p.label}
    </label>
    {p.children}
    {p.error && (
      <p id={`${p.id}-error`} class="m-0 mt-1 max-w-48 text-xs text-red-700">
        {p.error}
      </p>
    )}
  </div>
)

/** A filter select; `options` in order, the empty value ("any") included where it applies. */
export const FilterSelect: FC<{
  id: string
  name: string
  label: string
  value: string
  options: readonly { value: string; label: string }[]
}> = (p) => (
  <FilterField id={p.id} label={p.label}>
    <select id={p.id} name={p.name} class="rounded border border-slate-300 px-2 py-1.5 text-sm">
      {p.options.map((o) => (
        <option value={o.value} selected={p.value === o.value}>
          {o.label}
        </option>
      ))}
    </select>
  </FilterField>
)

/** `values` as options labelled by themselves, after an "any" option labelled `any`. */
export function anyOr(any: string, values: readonly string[]) {
  return [{ value: '', label: any }, ...values.map((v) => ({ value: v, label: v }))]
}
