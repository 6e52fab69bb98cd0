import type { FC } from 'hono/jsx'
import type { Scope } from '../../web/scope.js'

/** A focus ring that shows on the teal scope band as well as on the white one. */
const FOCUS_RING =
  'focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-400'

/** `/scope/picker` for a picker that returns to `next`. */
export function pickerUrl(next: string): string {
  return `/scope/picker?${new URLSearchParams({ next })}`
}

/** The shield of seed 001's admin-mode toggle; decorative, the button's text names it. */
const Shield: FC<{ filled: boolean }> = ({ filled }) => (
  <svg
    aria-hidden="true"
    viewBox="0 0 20 20"
    width="16"
    height="16"
    class="shrink-0"
    fill={filled ? 'currentColor' : 'none'}
    stroke="currentColor"
    stroke-width="1.6"
  >
    <path d="M10 2 3.5 4.5v5c0 4 2.8 7.2 6.5 8.5 3.7-1.3 6.5-4.5 6.5-8.5v-5L10 2Z" />
  </svg>
)

/**
 * Admin mode (seed 001): pressed, every list covers all customers; released, the console narrows
 * to one (the picked one, else the most recently viewed, else the picker opens). A plain form.
 */
const AdminModeToggle: FC<{ scope: Scope; next: string }> = ({ scope, next }) => {
  const on = scope.mode === 'all'
  return (
    <form method="post" action="/scope" class="m-0">
      <input type="hidden" name="mode" value={on ? 'customer' : 'all'} />
      <input type="hidden" name="next" value={next} />
      <button
        type="submit"
        aria-pressed={on ? 'true' : 'false'}
        title={
          on
            ? 'On: every list shows all customers. Turn off to narrow the console to one customer.'
            : 'Off: the console shows one customer. Turn on to see all customers again.'
        }
        class={`inline-flex items-center gap-1.5 rounded border px-2.5 py-1 text-sm font-medium cursor-pointer ${FOCUS_RING} ${
          on
            ? 'border-violet-700 bg-violet-700 text-white hover:bg-violet-800'
            : 'border-white bg-white text-teal-900 hover:bg-teal-50'
        }`}
      >
        <Shield filled={on} />
        Admin mode
      </button>
    </form>
  )
}

/**
 * The top bar of every console page (DESIGN.md §11): the admin-mode toggle, what the lists
 * cover, and the customer picker. Narrowed to one customer, the bar takes the scope colour
 * (white on teal-800, 7.6:1) and says "Scoped to ‹name› (‹slug›)". The picker opens in place
 * under htmx (`#scope-picker`); without JavaScript its link is the full picker page.
 */
export const ScopeBar: FC<{ scope: Scope; next: string }> = ({ scope, next }) => {
  const scoped = scope.mode === 'customer' && scope.tenant
  const url = pickerUrl(next)
  return (
    <section
      id="scope-bar"
      aria-label="Customer scope"
      data-scope={scope.mode}
      class={`mb-4 flex flex-wrap items-center gap-x-3 gap-y-2 rounded border px-3 py-2 text-sm ${
        scoped
          ? 'border-teal-900 bg-teal-800 text-white'
          : 'border-slate-200 bg-white text-slate-800'
      }`}
    >
      <AdminModeToggle scope={scope} next={next} />
      <p id="scope-label" class="m-0 font-medium">
        {scoped ? (
          <>
            Scoped to <strong class="font-semibold">{scope.tenant!.name}</strong> (
            <span class="font-mono">{scope.tenant!.slug}</span>)
          </>
        ) : (
          'All customers'
        )}
      </p>
      <a
        id="scope-picker-toggle"
        href={url}
        hx-get={url}
        hx-target="#scope-picker"
        hx-swap="innerHTML"
        class={`rounded px-1 underline ${FOCUS_RING} ${scoped ? 'text-white' : 'text-violet-800'}`}
      >
        {scoped ? 'Change customer' : 'Choose a customer'}
      </a>
      <div id="scope-picker" class="w-full empty:hidden"></div>
    </section>
  )
}
