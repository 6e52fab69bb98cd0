import type { FC } from 'hono/jsx'
import { roleCan } from '../../auth/permissions.js'
import type { TenantFlag } from '../../db/flags.js'
import type { Plan } from '../../db/plans.js'
import type { SuperAdmin } from '../../db/super-admins.js'
import { formValue, valueLabel, valueOptions } from '../../flags/flag-rules.js'
import { whyText } from '../flags/flag-words.js'

export type TenantFlagsProps = {
  operator: SuperAdmin
  tenant: { id: string; slug: string; status: string; planId: string }
  /** Every flag that is not archived, resolved for this tenant. */
  flags: TenantFlag[]
  plans: Plan[]
  /** What the last action did, or why it was refused (the live region says it too). */
  notice?: { kind: 'success' | 'error' | 'info'; text: string }
}

const smallButton =
  'rounded border border-slate-300 bg-white px-2 py-0.5 text-xs font-medium text-slate-800 hover:bg-slate-50 cursor-pointer'

/** Turn on/off (boolean flags) or a select and Set (string flags), then Clear override. */
const FlagControls: FC<{ tenantId: string; item: TenantFlag }> = ({ tenantId, item }) => {
  const { flag, resolution, override } = item
  const url = `/tenants/${tenantId}/flags/${flag.key}`
  const swap = { 'hx-target': '#tenant-flags', 'hx-swap': 'outerHTML' }
  const turnOn = resolution.value !== true
  return (
    <div class="flex flex-wrap items-center justify-end gap-2">
      {flag.type === 'boolean' ? (
        <form method="post" action={url} hx-post={url} {...swap}>
          <input type="hidden" name="value" value={turnOn ? 'on' : 'off'} />
          <button type="submit" class={smallButton}>
            {turnOn ? `Turn on ${flag.key}` : `Turn off ${flag.key}`}
          </button>
        </form>
      ) : (
        <form method="post" action={url} hx-post={url} {...swap} class="flex items-center gap-1">
          <label for={`tenant-flag-${flag.key}`} class="sr-only">
            Value of {flag.key}
          </label>
          <select
            id={`tenant-flag-${flag.key}`}
            name="value"
            class="rounded border border-slate-300 px-2 py-0.5 text-xs"
          >
            {valueOptions(flag).map((o) => (
              <option value={o.value} selected={o.value === formValue(resolution.value)}>
                {o.label}
              </option>
            ))}
          </select>
          <button type="submit" class={smallButton}>
            Set
          </button>
        </form>
      )}
      {override !== undefined && (
        <form method="post" action={url} hx-delete={url} {...swap}>
          <input type="hidden" name="_method" value="DELETE" />
          <button type="submit" class={smallButton}>
            Clear override
          </button>
        </form>
      )}
    </div>
  )
}

/**
 * The tenant's feature flags (issue 9 item 3): each active flag's value for this tenant and
 * why. Operators with saas.flags.edit toggle an override here; htmx swaps this section, and
 * without JavaScript the forms post and come back to the tenant page with a flash.
 */
export const TenantFlags: FC<TenantFlagsProps> = (p) => {
  const canEdit = roleCan(p.operator.role, 'saas.flags.edit') && p.tenant.status !== 'deleted'
  return (
    <section
      id="tenant-flags"
      aria-labelledby="tenant-flags-title"
      class="mb-6 rounded border border-slate-200 bg-white p-5"
    >
      <h2 id="tenant-flags-title" class="m-0 mb-2 text-base font-semibold">
        Feature flags
      </h2>
      {p.notice && (
        <p
          class={`m-0 mb-2 text-sm font-medium ${p.notice.kind === 'error' ? 'text-red-700' : 'text-emerald-800'}`}
        >
          {p.notice.text}
        </p>
      )}
      {p.flags.length === 0 ? (
        <p class="m-0 text-sm text-slate-600">No feature flags yet.</p>
      ) : (
        <table class="w-full text-sm">
          <caption class="sr-only">Feature flags of {p.tenant.slug}: value and why</caption>
          <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
            <tr>
              <th scope="col" class="px-3 py-2">
                Flag
              </th>
              <th scope="col" class="px-3 py-2">
                Value
              </th>
              <th scope="col" class="px-3 py-2">
                Why
              </th>
              {canEdit && (
                <th scope="col" class="px-3 py-2">
                  <span class="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {p.flags.map((item) => (
              <tr id={`tenant-flag-row-${item.flag.key}`}>
                <th scope="row" class="cell text-left font-mono font-normal">
                  <a href={`/flags/${item.flag.key}`} class="text-violet-700 underline">
                    {item.flag.key}
                  </a>
                </th>
                <td class="cell font-medium">{valueLabel(item.resolution.value)}</td>
                <td class="cell">
                  {whyText(item.resolution.why, item.flag, p.plans, p.tenant.planId)}
                </td>
                {canEdit && (
                  <td class="cell">
                    <FlagControls tenantId={p.tenant.id} item={item} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
