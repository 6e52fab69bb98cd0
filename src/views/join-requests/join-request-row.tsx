import type { FC } from 'hono/jsx'
import type { MembershipRole } from '../../db/schema.js'
import type { JoinRequestListItem } from '../../db/join-requests.js'
import type { JoinRequestStatus } from '../../db/schema.js'
import { formatAge, formatDateTime } from '../format.js'
import { RowDecision, type DecisionForm } from './decision-controls.js'

const STATUS_STYLES: Record<JoinRequestStatus, string> = {
  pending: 'bg-amber-100 text-amber-900',
  approved: 'bg-emerald-100 text-emerald-800',
  denied: 'bg-slate-200 text-slate-700',
}

/** Who decided and why, for a request that is no longer pending. */
const Decision: FC<{ r: JoinRequestListItem }> = ({ r }) => (
  <span class="text-xs text-slate-700">
    {r.status === 'approved' ? `as ${r.role}` : r.reason}
    <span class="block text-slate-600">
      {r.decidedByEmail ?? (r.status === 'approved' ? 'auto-join domain' : 'system')},{' '}
      {formatDateTime(r.decidedAt)}
    </span>
  </span>
)

/**
 * One request: requester, tenant, message, status, age, and its decision — the controls while it
 * is pending and the operator may decide, who decided and why afterwards.
 */
export const JoinRequestRow: FC<{
  r: JoinRequestListItem
  canDecide: boolean
  back: string
  now: Date
  form?: DecisionForm
  showTenant: boolean
  /** The roles this operator may approve with (grantableRoles). */
  roles: MembershipRole[]
}> = ({ r, canDecide, back, now, form, showTenant, roles }) => (
  <tr id={`join-request-${r.id}`} class="border-t border-slate-100 align-top">
    {canDecide && (
      <td class="px-3 py-2">
        {r.status === 'pending' && (
          <>
            <label for={`select-${r.id}`} class="sr-only">
              Select the request of {r.email}
            </label>
            <input
              id={`select-${r.id}`}
              type="checkbox"
              name="ids"
              value={r.id}
              form="join-requests-bulk"
              checked={form && !form.rowId ? form.ids.includes(r.id) : undefined}
            />
          </>
        )}
      </td>
    )}
    <td class="px-3 py-2">
      <span class="block">{r.email}</span>
      {(r.userName ?? r.name) && (
        <span class="block text-xs text-slate-600">
          {r.userName ?? r.name}
          {r.userId ? '' : ' (new user)'}
        </span>
      )}
    </td>
    {showTenant && (
      <td class="px-3 py-2">
        <a
          href={`/tenants/${r.tenantId}`}
          class="whitespace-nowrap font-mono text-violet-800 underline"
        >
          {r.tenantSlug}
        </a>
        {r.tenantStatus !== 'active' && (
          <span class="block text-xs text-amber-900">{r.tenantStatus}</span>
        )}
      </td>
    )}
    <td class="px-3 py-2 max-w-64 text-xs text-slate-800">{r.message}</td>
    <td class="px-3 py-2">
      <span
        class={`inline-block rounded px-2 py-0.5 text-xs font-medium ${STATUS_STYLES[r.status]}`}
      >
        {r.status}
      </span>
    </td>
    <td class="px-3 py-2 whitespace-nowrap">
      <time datetime={r.createdAt.toISOString()} title={formatDateTime(r.createdAt)}>
        {formatAge(r.createdAt, now)}
      </time>
    </td>
    <td class="px-3 py-2 text-right">
      {r.status !== 'pending' ? (
        <Decision r={r} />
      ) : canDecide ? (
        <RowDecision r={r} back={back} form={form} roles={roles} />
      ) : null}
    </td>
  </tr>
)
