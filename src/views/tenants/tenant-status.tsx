import type { FC } from 'hono/jsx'
import { roleCan } from '../../auth/permissions.js'
import type { TenantStatus } from '../../db/schema.js'
import type { SuperAdmin } from '../../db/super-admins.js'

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

/** Suspend (POST) or activate (DELETE, or `_method=DELETE` without JavaScript). */
export const StatusAction: FC<{
  tenant: { id: string; slug: string; status: TenantStatus }
  operator: SuperAdmin
  target: string
}> = ({ tenant, operator, target }) => {
  if (!roleCan(operator.role, 'saas.tenants.suspend')) return null
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
