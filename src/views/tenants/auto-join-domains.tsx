import type { FC } from 'hono/jsx'
import { roleCan } from '../../auth/permissions.js'
import type { SuperAdmin } from '../../db/super-admins.js'
import { formatDate } from '../format.js'

export type AutoJoinDomainsProps = {
  operator: SuperAdmin
  tenant: { id: string; slug: string; name: string; status: string }
  domains: { domain: string; createdAt: Date }[]
  /** What was typed, shown back with its message after a 422. */
  value?: string
  error?: string
  /** What the last action did (the live region says it too). */
  notice?: string
}

/**
 * The tenant's auto-join email domains (issue 7 item 3): a join request from an address at one
 * of them is approved at once as member. Add and remove swap this section under htmx; without
 * JavaScript they post and come back to the tenant page.
 */
export const AutoJoinDomains: FC<AutoJoinDomainsProps> = (p) => {
  const canEdit = roleCan(p.operator.role, 'saas.tenants.edit') && p.tenant.status !== 'deleted'
  const url = `/tenants/${p.tenant.id}/auto-join-domains`
  const swap = { 'hx-target': '#auto-join-domains', 'hx-swap': 'outerHTML' }
  return (
    <section
      id="auto-join-domains"
      aria-labelledby="auto-join-domains-title"
      class="mb-6 rounded border border-slate-200 bg-white p-5"
    >
      <h2 id="auto-join-domains-title" class="m-0 mb-2 text-base font-semibold">
        Auto-join email domains
      </h2>
      <p class="m-0 mb-3 text-sm text-slate-700">
        A join request from an address at one of these domains is approved at once as member.
      </p>
      {p.notice && <p class="m-0 mb-2 text-sm font-medium text-emerald-800">{p.notice}</p>}
      {p.domains.length === 0 ? (
        <p class="m-0 mb-3 text-sm text-slate-600">No auto-join domains.</p>
      ) : (
        <ul class="m-0 mb-3 list-none p-0 text-sm">
          {p.domains.map((d) => (
            <li class="flex items-center gap-3 border-t border-slate-100 py-1">
              <span class="font-mono">{d.domain}</span>
              <span class="text-xs text-slate-600">since {formatDate(d.createdAt)}</span>
              {canEdit && (
                <form
                  method="post"
                  action={`${url}/${encodeURIComponent(d.domain)}`}
                  hx-delete={`${url}/${encodeURIComponent(d.domain)}`}
                  {...swap}
                  class="ml-auto"
                >
                  <input type="hidden" name="_method" value="DELETE" />
                  <button
                    type="submit"
                    aria-label={`Remove ${d.domain}`}
                    class="rounded border border-slate-300 bg-white px-2 py-0.5 text-xs text-slate-800 hover:bg-slate-50 cursor-pointer"
                  >
                    Remove
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
      )}
      {canEdit && (
        <form
          method="post"
          action={url}
          hx-post={url}
          {...swap}
          class="flex flex-wrap items-start gap-2"
        >
          <div>
            <label for="auto-join-domain" class="block text-sm font-medium text-slate-700 mb-1">
              Domain
            </label>
            <input
              id="auto-join-domain"
              name="domain"
              value={p.value ?? ''}
              placeholder="acme.com"
              autocomplete="off"
              maxlength={253}
              required
              aria-invalid={p.error ? 'true' : undefined}
              aria-describedby={p.error ? 'auto-join-domain-error' : undefined}
              class={`w-64 rounded border px-3 py-1.5 text-sm ${p.error ? 'border-red-500' : 'border-slate-300'}`}
            />
            {p.error && (
              <p id="auto-join-domain-error" class="m-0 mt-1 text-sm text-red-700">
                {p.error}
              </p>
            )}
          </div>
          <button
            type="submit"
            class="mt-6 rounded border border-violet-700 bg-violet-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-violet-800 cursor-pointer"
          >
            Add domain
          </button>
        </form>
      )}
    </section>
  )
}

/** Without JavaScript, a refused domain comes back on this page, next to its field. */
export const AutoJoinDomainsPage: FC<AutoJoinDomainsProps> = (p) => (
  <>
    <p class="m-0 mb-2 text-sm">
      <a href={`/tenants/${p.tenant.id}`} class="text-violet-700 underline">
        ← {p.tenant.name}
      </a>
    </p>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Auto-join domains of {p.tenant.name}</h1>
    <AutoJoinDomains {...p} />
  </>
)
