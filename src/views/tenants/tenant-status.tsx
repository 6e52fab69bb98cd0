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
  <span class={`badge ${STATUS_STYLES[status]}`}>{status}</span>
)

/**
 * Suspend or activate, without access keys (one on every row let Alt+S suspend an off-screen
 * tenant). Suspending asks first: `hx-confirm` under htmx, and without JavaScript the form opens
 * a confirmation page (GET /tenants/:id/suspension/new) instead of posting. Activating needs no
 * confirmation; right after a suspension it is offered as Undo.
 */
export const StatusAction: FC<{
  tenant: { id: string; slug: string; status: TenantStatus }
  operator: SuperAdmin
  target: string
  /** Offer activation as "Undo" of the suspension just made. */
  undo?: boolean
}> = ({ tenant, operator, target, undo }) => {
  if (!roleCan(operator.role, 'saas.tenants.suspend')) return null
  const url = `/tenants/${tenant.id}/suspension`
  if (tenant.status === 'active') {
    return (
      <form
        method="get"
        action={`${url}/new`}
        hx-post={url}
        hx-target={target}
        hx-confirm={`Suspend ${tenant.slug}? Its users lose access until it is activated again.`}
        class="inline"
      >
        <button type="submit" aria-label={`Suspend ${tenant.slug}`} class="btn-row-suspend">
          Suspend
        </button>
      </form>
    )
  }
  if (tenant.status === 'suspended') {
    return (
      <form method="post" action={url} hx-delete={url} hx-target={target} class="inline">
        <input type="hidden" name="_method" value="DELETE" />
        <button
          type="submit"
          aria-label={undo ? `Undo: activate ${tenant.slug}` : `Activate ${tenant.slug}`}
          class="btn-row-activate"
        >
          {undo ? 'Undo' : 'Activate'}
        </button>
      </form>
    )
  }
  return null
}

/**
 * The no-JavaScript confirmation of a suspension: what it does, the button that does it, and
 * the way back.
 */
export const SuspensionConfirmPage: FC<{
  tenant: { id: string; slug: string; name: string; status: TenantStatus }
}> = ({ tenant }) => (
  <>
    <p class="m-0 mb-2 text-sm">
      <a href={`/tenants/${tenant.id}`} class="text-violet-700 underline">
        ← {tenant.name}
      </a>
    </p>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Suspend {tenant.name}?</h1>
    {tenant.status === 'active' ? (
      <div class="max-w-xl rounded border border-amber-300 bg-white p-6">
        <p class="m-0 mb-4 text-sm text-slate-800">
          Its users lose access until the tenant is activated again. Its data and schema stay as
          they are. The suspension is written to the audit log.
        </p>
        <div class="flex items-center gap-4">
          <form method="post" action={`/tenants/${tenant.id}/suspension`} class="inline">
            <button
              type="submit"
              class="rounded border border-amber-600 bg-amber-500 px-3 py-1.5 text-sm font-medium text-slate-900 hover:bg-amber-400 cursor-pointer"
            >
              Suspend {tenant.slug}
            </button>
          </form>
          <a href="/tenants" class="text-sm text-violet-700 underline">
            Cancel
          </a>
        </div>
      </div>
    ) : (
      <p role="alert" class="m-0 text-sm text-red-800">
        {tenant.slug} cannot be suspended from status {tenant.status}.
      </p>
    )}
  </>
)
