import type { FC } from 'hono/jsx'
import { roleCan } from '../auth/permissions.js'
import type { Plan } from '../db/plans.js'
import type { TenantStatus } from '../db/schema.js'
import type { SuperAdmin } from '../db/super-admins.js'
import type { TenantListItem } from '../db/tenants.js'
import { formatAge, formatBytes, formatDate } from './format.js'
import { Button, Field } from './layout.js'

export const STATUS_STYLES: Record<TenantStatus, string> = {
  provisioning: 'bg-sky-100 text-sky-800',
  active: 'bg-emerald-100 text-emerald-800',
  suspended: 'bg-amber-100 text-amber-900',
  failed: 'bg-red-100 text-red-800',
  deleted: 'bg-slate-200 text-slate-600',
}

export const StatusBadge: FC<{ status: TenantStatus }> = ({ status }) => (
  <span class={`inline-block rounded px-2 py-0.5 text-xs font-medium ${STATUS_STYLES[status]}`}>
    {status}
  </span>
)

export type TenantListQuery = { q: string; status: TenantStatus | ''; page: number }

export type TenantTableProps = {
  admin: SuperAdmin
  items: TenantListItem[]
  total: number
  perPage: number
  query: TenantListQuery
  snapshotAt: Date | undefined
  now: Date
}

export function tenantListUrl(query: TenantListQuery, page = query.page): string {
  const params = new URLSearchParams()
  if (query.q) params.set('q', query.q)
  if (query.status) params.set('status', query.status)
  if (page > 1) params.set('page', String(page))
  const s = params.toString()
  return s ? `/tenants?${s}` : '/tenants'
}

/** The swappable table: rows, paging and the storage snapshot's age. */
export const TenantTable: FC<TenantTableProps> = (p) => {
  const pages = Math.max(1, Math.ceil(p.total / p.perPage))
  return (
    <div id="tenant-table">
      <div class="mb-2 flex justify-between text-xs text-slate-500">
        <span>
          {p.total} tenant{p.total === 1 ? '' : 's'}
          {p.query.q && ` matching “${p.query.q}”`}
        </span>
        <span>
          Storage snapshot:{' '}
          {p.snapshotAt ? `taken ${formatAge(p.snapshotAt, p.now)}` : 'not taken yet'}
        </span>
      </div>
      <div class="overflow-x-auto rounded border border-slate-200 bg-white">
        <table class="w-full text-sm" data-keyboard-table>
          <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" class="px-3 py-2">
                Slug
              </th>
              <th scope="col" class="px-3 py-2">
                Name
              </th>
              <th scope="col" class="px-3 py-2">
                Plan
              </th>
              <th scope="col" class="px-3 py-2">
                Status
              </th>
              <th scope="col" class="px-3 py-2 text-right">
                Members
              </th>
              <th scope="col" class="px-3 py-2 text-right">
                Storage (DB + files)
              </th>
              <th scope="col" class="px-3 py-2">
                Created
              </th>
              <th scope="col" class="px-3 py-2">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {p.items.length === 0 && (
              <tr>
                <td colspan={8} class="px-3 py-6 text-center text-slate-500">
                  No tenants match.
                </td>
              </tr>
            )}
            {p.items.map((t) => (
              <TenantRow tenant={t} admin={p.admin} />
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 && (
        <nav aria-label="Pages" class="mt-3 flex items-center gap-3 text-sm">
          {p.query.page > 1 && (
            <a
              rel="prev"
              href={tenantListUrl(p.query, p.query.page - 1)}
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
              href={tenantListUrl(p.query, p.query.page + 1)}
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

/** One row; its suspend/activate form swaps the row in place under htmx. */
export const TenantRow: FC<{ tenant: TenantListItem; admin: SuperAdmin }> = ({
  tenant: t,
  admin,
}) => (
  <tr
    id={`tenant-${t.id}`}
    class="border-t border-slate-100 hover:bg-violet-50 focus-within:bg-violet-50"
    data-href={`/tenants/${t.id}`}
    tabindex={-1}
  >
    <td class="px-3 py-2 font-mono">
      <a href={`/tenants/${t.id}`} class="text-violet-800 underline">
        {t.slug}
      </a>
    </td>
    <td class="px-3 py-2">{t.name}</td>
    <td class="px-3 py-2">{t.planName}</td>
    <td class="px-3 py-2">
      <StatusBadge status={t.status} />
    </td>
    <td class="px-3 py-2 text-right tabular-nums">{t.members}</td>
    <td
      class="px-3 py-2 text-right tabular-nums"
      title={
        t.storage
          ? `DB ${formatBytes(t.storage.dbBytes)} + files ${formatBytes(t.storage.fileBytes)}`
          : undefined
      }
    >
      {t.storage ? (
        <>
          {formatBytes(t.storage.dbBytes + t.storage.fileBytes)}
          <span class="block text-xs text-slate-500">
            {formatBytes(t.storage.dbBytes)} + {formatBytes(t.storage.fileBytes)}
          </span>
        </>
      ) : (
        <span class="text-slate-400">not measured</span>
      )}
    </td>
    <td class="px-3 py-2 whitespace-nowrap">{formatDate(t.createdAt)}</td>
    <td class="px-3 py-2 text-right whitespace-nowrap">
      <StatusAction tenant={t} admin={admin} target={`#tenant-${t.id}`} />
    </td>
  </tr>
)

/** Suspend (POST) or activate (DELETE, or `_method=DELETE` without JavaScript). */
export const StatusAction: FC<{
  tenant: { id: string; slug: string; status: TenantStatus }
  admin: SuperAdmin
  target: string
}> = ({ tenant, admin, target }) => {
  if (!roleCan(admin.role, 'saas.tenants.suspend')) return null
  if (tenant.status === 'active') {
    return (
      <form
        method="post"
        action={`/tenants/${tenant.id}/suspension`}
        hx-post={`/tenants/${tenant.id}/suspension`}
        hx-target={target}
        class="inline"
      >
        <button
          type="submit"
          accesskey="s"
          aria-label={`Suspend ${tenant.slug}`}
          class="rounded border border-amber-400 bg-amber-50 px-2 py-1 text-xs text-amber-900 hover:bg-amber-100 cursor-pointer"
        >
          Suspend
        </button>
      </form>
    )
  }
  if (tenant.status === 'suspended') {
    return (
      <form
        method="post"
        action={`/tenants/${tenant.id}/suspension`}
        hx-delete={`/tenants/${tenant.id}/suspension`}
        hx-target={target}
        class="inline"
      >
        <input type="hidden" name="_method" value="DELETE" />
        <button
          type="submit"
          accesskey="a"
          aria-label={`Activate ${tenant.slug}`}
          class="rounded border border-emerald-500 bg-emerald-50 px-2 py-1 text-xs text-emerald-900 hover:bg-emerald-100 cursor-pointer"
        >
          Activate
        </button>
      </form>
    )
  }
  return null
}

export const TenantFilters: FC<{
  query: TenantListQuery
  counts: Record<TenantStatus, number>
}> = ({ query, counts }) => (
  <form
    method="get"
    action="/tenants"
    class="mb-4 flex flex-wrap items-end gap-3"
    hx-get="/tenants"
    hx-target="#tenant-table"
    hx-trigger="input changed delay:250ms from:#tenant-search, change from:#tenant-status, submit"
    hx-push-url="true"
  >
    <div>
      <label for="tenant-search" class="block text-xs font-medium text-slate-600 mb-1">
        Search slug or name
      </label>
      <input
        id="tenant-search"
        type="search"
        name="q"
        value={query.q}
        placeholder="Press / to search"
        autocomplete="off"
        data-search
        class="w-72 rounded border border-slate-300 px-3 py-1.5 text-sm"
      />
    </div>
    <div>
      <label for="tenant-status" class="block text-xs font-medium text-slate-600 mb-1">
        Status
      </label>
      <select
        id="tenant-status"
        name="status"
        class="rounded border border-slate-300 px-2 py-1.5 text-sm"
      >
        <option value="" selected={query.status === ''}>
          All but deleted
        </option>
        {(Object.keys(counts) as TenantStatus[]).map((s) => (
          <option value={s} selected={query.status === s}>
            {s} ({counts[s]})
          </option>
        ))}
      </select>
    </div>
    <Button kind="plain">Filter</Button>
  </form>
)

export type TenantFormValues = {
  slug: string
  name: string
  planId: string
  billingEmail: string
  firstAdminEmail: string
  firstAdminName: string
}

export const TenantForm: FC<{
  values: Partial<TenantFormValues>
  errors: Partial<Record<keyof TenantFormValues, string>>
  plans: Plan[]
}> = ({ values, errors, plans }) => (
  <form
    id="tenant-form"
    method="post"
    action="/tenants"
    class="max-w-xl rounded border border-slate-200 bg-white p-6"
    hx-post="/tenants"
    hx-target="#tenant-form"
  >
    <Field
      name="slug"
      label="Slug"
      value={values.slug}
      error={errors.slug}
      hint="Lowercase letters, digits and dashes; starts with a letter; 2–39 characters. It names the schema and cannot change."
      required
      autofocus
    />
    <Field name="name" label="Name" value={values.name} error={errors.name} required />
    <PlanSelect plans={plans} value={values.planId} error={errors.planId} />
    <Field
      name="billingEmail"
      label="Billing email"
      type="email"
      value={values.billingEmail}
      error={errors.billingEmail}
      required
    />
    <fieldset class="mb-4 rounded border border-slate-200 p-4">
      <legend class="px-1 text-sm font-medium text-slate-700">First admin</legend>
      <Field
        name="firstAdminEmail"
        label="First admin's email"
        type="email"
        value={values.firstAdminEmail}
        error={errors.firstAdminEmail}
        required
      />
      <Field
        name="firstAdminName"
        label="First admin's name"
        value={values.firstAdminName}
        error={errors.firstAdminName}
        required
      />
    </fieldset>
    <Button>Create tenant</Button>
  </form>
)

export const PlanSelect: FC<{ plans: Plan[]; value?: string; error?: string }> = ({
  plans,
  value,
  error,
}) => (
  <div class="mb-4">
    <label for="field-planId" class="block text-sm font-medium text-slate-700 mb-1">
      Plan
    </label>
    <select
      id="field-planId"
      name="planId"
      aria-invalid={error ? 'true' : undefined}
      aria-describedby={error ? 'field-planId-error' : undefined}
      class="w-full rounded border border-slate-300 px-3 py-2 text-sm"
    >
      {plans.map((plan) => (
        <option value={plan.id} selected={plan.id === value}>
          {plan.name} —{' '}
          {plan.priceCentsMonthly === 0
            ? 'free'
            : `$${(plan.priceCentsMonthly / 100).toFixed(0)}/month`}
          , {plan.maxMembers ?? 'unlimited'} members
        </option>
      ))}
    </select>
    {error && (
      <p id="field-planId-error" class="mt-1 text-sm text-red-700">
        {error}
      </p>
    )}
  </div>
)
