import type { FC } from 'hono/jsx'
import type { TenantRef } from '../../db/tenant-refs.js'

export type ScopePickerProps = {
  /** The tenant the console is scoped to now; undefined in mode `all`. */
  currentId?: string
  /** Where choosing comes back to (a local path, already checked). */
  next: string
  q: string
  /** Recently viewed customers (that match `q`), most recent first. */
  recent: TenantRef[]
  /** The other customers that match, by name. */
  others: TenantRef[]
  /** Customers that match `q` in all (recent ones included), over what is shown. */
  total: number
  /** The full page (no JavaScript) links back instead of offering Close. */
  page?: boolean
}

const OPTION =
  'w-full rounded border border-transparent bg-transparent px-2 py-1.5 text-left text-sm text-slate-900 cursor-pointer hover:border-violet-300 hover:bg-violet-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-violet-700'

/** One choice: a form of its own, so it works as a plain POST without JavaScript. */
const ScopeOption: FC<{
  next: string
  tenant?: TenantRef
  current: boolean
}> = ({ next, tenant, current }) => (
  <li>
    <form method="post" action="/scope" class="m-0">
      <input type="hidden" name="mode" value={tenant ? 'customer' : 'all'} />
      {tenant && <input type="hidden" name="tenant" value={tenant.id} />}
      <input type="hidden" name="next" value={next} />
      <button
        type="submit"
        aria-current={current ? 'true' : undefined}
        class={`${OPTION} ${current ? 'font-semibold' : ''}`}
      >
        {current && <span aria-hidden="true">✓ </span>}
        {tenant ? (
          <>
            {tenant.name} <span class="font-mono text-xs text-slate-600">({tenant.slug})</span>
          </>
        ) : (
          'All customers'
        )}
      </button>
    </form>
  </li>
)

/** The choices: "All customers", then recently viewed, then the rest by name. */
export const ScopePickerResults: FC<ScopePickerProps> = (p) => {
  const shown = p.recent.length + p.others.length
  return (
    <div id="scope-picker-results" class="mt-2">
      <ul class="m-0 list-none p-0">
        <ScopeOption next={p.next} current={!p.currentId} />
      </ul>
      {p.recent.length > 0 && (
        <>
          <p
            id="scope-picker-recent"
            class="m-0 mt-2 text-xs font-semibold uppercase text-slate-600"
          >
            Recently viewed
          </p>
          <ul aria-labelledby="scope-picker-recent" class="m-0 list-none p-0">
            {p.recent.map((t) => (
              <ScopeOption next={p.next} tenant={t} current={t.id === p.currentId} />
            ))}
          </ul>
        </>
      )}
      {p.others.length > 0 && (
        <>
          <p
            id="scope-picker-others"
            class="m-0 mt-2 text-xs font-semibold uppercase text-slate-600"
          >
            {p.q ? 'Matching customers' : 'Customers by name'}
          </p>
          <ul aria-labelledby="scope-picker-others" class="m-0 list-none p-0">
            {p.others.map((t) => (
              <ScopeOption next={p.next} tenant={t} current={t.id === p.currentId} />
            ))}
          </ul>
        </>
      )}
      <p id="scope-picker-count" class="m-0 mt-2 text-xs text-slate-600">
        {shown === 0 && p.q
          ? `No customer matches “${p.q}”.`
          : p.total > shown
            ? `${shown} of ${p.total} customers shown; type to narrow.`
            : `${p.total} customer${p.total === 1 ? '' : 's'}${p.q ? ` matching “${p.q}”` : ''}.`}
      </p>
    </div>
  )
}

/**
 * The customer picker (seed 001): a search over the same matching as /tenants (slug or name),
 * recently viewed customers first, and "All customers". The fragment the top bar opens in place,
 * and the body of the full picker page.
 */
export const ScopePicker: FC<ScopePickerProps> = (p) => (
  <div
    id="scope-picker-panel"
    class="max-w-xl rounded border border-slate-300 bg-white p-3 text-slate-900 shadow"
  >
    <form
      method="get"
      action="/scope/picker"
      role="search"
      aria-label="Customers"
      hx-get="/scope/picker"
      hx-target="#scope-picker-results"
      hx-select="#scope-picker-results"
      hx-swap="outerHTML"
      hx-trigger="input changed delay:200ms from:#scope-picker-search, submit"
      class="m-0"
    >
      <input type="hidden" name="next" value={p.next} />
      <label for="scope-picker-search" class="mb-1 block text-xs font-medium text-slate-700">
        Search customers (slug or name)
      </label>
      <div class="flex gap-2">
        <input
          id="scope-picker-search"
          type="search"
          name="q"
          value={p.q}
          autocomplete="off"
          autofocus
          class="min-w-0 flex-1 rounded border border-slate-300 px-2 py-1.5 text-sm"
        />
        <button
          type="submit"
          class="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm cursor-pointer"
        >
          Search
        </button>
      </div>
    </form>
    <ScopePickerResults {...p} />
    {p.page ? (
      <a href={p.next} class="mt-2 inline-block text-sm text-violet-800 underline">
        Back without changing
      </a>
    ) : (
      <button
        type="button"
        data-scope-picker-close
        class="mt-2 rounded border border-slate-300 bg-white px-3 py-1 text-sm cursor-pointer"
      >
        Close
      </button>
    )}
  </div>
)

/** The picker as a page of its own: the no-JavaScript path of the top bar's picker link. */
export const ScopePickerPage: FC<ScopePickerProps> = (p) => (
  <>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Choose a customer</h1>
    <ScopePicker {...p} page />
  </>
)
