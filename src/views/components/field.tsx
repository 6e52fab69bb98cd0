import type { FC } from 'hono/jsx'

/** A labelled input with its error message beside it (aria-describedby ties them). */
export const Field: FC<{
  name: string
  label: string
  type?: string
  value?: string
  error?: string
  autocomplete?: string
  required?: boolean
  inputmode?: 'numeric' | 'email' | 'text'
  hint?: string
  autofocus?: boolean
}> = (p) => {
  const id = `field-${p.name}`
  return (
    <div class="mb-4">
      <label for={id} class="block text-sm font-medium text-slate-700 mb-1">
        {p.label}
      </label>
      <input
        id={id}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.value}
        required={p.required}
        autocomplete={p.autocomplete}
        inputmode={p.inputmode}
        autofocus={p.autofocus}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={p.error ? `${id}-error` : undefined}
        class={`w-full rounded border px-3 py-2 text-sm ${p.error ? 'border-red-500' : 'border-slate-300'}`}
      />
      {p.hint && !p.error && <p class="mt-1 text-xs text-slate-600">{p.hint}</p>}
      {p.error && (
        <p id={`${id}-error`} class="mt-1 text-sm text-red-700">
          {p.error}
        </p>
      )}
    </div>
  )
}
