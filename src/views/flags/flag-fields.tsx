import type { FC } from 'hono/jsx'

// Labelled controls of the flag forms that src/views/components has no twin for: a select and a
// textarea with their error beside them (aria-describedby ties them, as Field does).

const controlClass = (error?: string) =>
  `w-full rounded border px-3 py-2 text-sm ${error ? 'border-red-500' : 'border-slate-300'}`

/** A labelled select; `id` defaults to `field-<name>`. */
export const SelectField: FC<{
  name: string
  label: string
  value: string
  options: readonly { value: string; label: string }[]
  error?: string
  hint?: string
  id?: string
}> = (p) => {
  const id = p.id ?? `field-${p.name}`
  return (
    <div class="mb-4">
      <label for={id} class="block text-sm font-medium text-slate-700 mb-1">
        {p.label}
      </label>
      <select
        id={id}
        name={p.name}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={p.error ? `${id}-error` : undefined}
        class={controlClass(p.error)}
      >
        {p.options.map((o) => (
          <option value={o.value} selected={o.value === p.value}>
            {o.label}
          </option>
        ))}
      </select>
      {p.hint && !p.error && <p class="mt-1 text-xs text-slate-600">{p.hint}</p>}
      {p.error && (
        <p id={`${id}-error`} class="mt-1 text-sm text-red-700">
          {p.error}
        </p>
      )}
    </div>
  )
}

/** A labelled textarea with its hint or error under it. */
export const TextAreaField: FC<{
  name: string
  label: string
  value: string
  error?: string
  hint?: string
  rows?: number
}> = (p) => {
  const id = `field-${p.name}`
  return (
    <div class="mb-4">
      <label for={id} class="block text-sm font-medium text-slate-700 mb-1">
        {p.label}
      </label>
      <textarea
        id={id}
        name={p.name}
        rows={p.rows ?? 3}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={p.error ? `${id}-error` : p.hint ? `${id}-hint` : undefined}
        class={controlClass(p.error)}
      >
        {p.value}
      </textarea>
      {p.hint && !p.error && (
        <p id={`${id}-hint`} class="mt-1 text-xs text-slate-600">
          {p.hint}
        </p>
      )}
      {p.error && (
        <p id={`${id}-error`} class="mt-1 text-sm text-red-700">
          {p.error}
        </p>
      )}
    </div>
  )
}
