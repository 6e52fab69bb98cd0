import type { FC } from 'hono/jsx'

/**
 * Text the operator copies (a tenant id): always visible and selectable; the Copy button is
 * hidden until public/app.js shows it, since without JavaScript it could do nothing.
 */
export const CopyText: FC<{ id: string; text: string; label: string }> = (p) => (
  <span class="inline-flex items-center gap-2">
    <code id={p.id} class="select-all rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs">
      {p.text}
    </code>
    <button
      type="button"
      hidden
      data-copy={p.text}
      data-copy-source={p.id}
      aria-label={p.label}
      class="rounded border border-slate-300 bg-white px-2 py-0.5 text-xs text-slate-800 hover:bg-slate-50 cursor-pointer"
    >
      Copy
    </button>
  </span>
)
