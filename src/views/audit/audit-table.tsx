import type { FC } from 'hono/jsx'
import type { AuditListEntry } from '../../db/audit-log.js'
import { formatDateTime } from '../format.js'

/** before → after, one line per changed key; JSX escapes every value. */
export const AuditDiff: FC<{ before: unknown; after: unknown }> = ({ before, after }) => {
  const b = (before ?? {}) as Record<string, unknown>
  const a = (after ?? {}) as Record<string, unknown>
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])]
  if (keys.length === 0) return <span class="text-slate-600">—</span>
  const show = (v: unknown) =>
    v === undefined ? '∅' : typeof v === 'string' ? v : JSON.stringify(v)
  return (
    <ul class="m-0 list-none p-0 text-xs font-mono">
      {keys.map((k) => (
        <li>
          <span class="text-slate-600">{k}:</span>{' '}
          {k in b && <span class="text-red-700 line-through">{show(b[k])}</span>}
          {k in b && k in a && ' → '}
          {k in a && <span class="text-emerald-800">{show(a[k])}</span>}
        </li>
      ))}
    </ul>
  )
}

export const AuditRow: FC<{ entry: AuditListEntry; showTenant: boolean }> = ({
  entry: e,
  showTenant,
}) => (
  <tr class="border-t border-slate-100 align-top" data-seq={e.seq}>
    <td class="px-3 py-2 whitespace-nowrap text-xs">{formatDateTime(e.created_at)}</td>
    <td class="px-3 py-2 text-xs">{e.actor_email ?? <span class="text-slate-600">system</span>}</td>
    <td class="px-3 py-2 font-mono text-xs">{e.action}</td>
    <td class="px-3 py-2 text-xs">
      {e.target_type ? `${e.target_type} ${e.target_id?.slice(0, 8) ?? ''}` : '—'}
    </td>
    {showTenant && (
      <td class="px-3 py-2 text-xs">
        {e.tenant_id ? (
          <a href={`/tenants/${e.tenant_id}`} class="text-violet-800 underline">
            {e.tenant_slug ?? e.tenant_id.slice(0, 8)}
          </a>
        ) : (
          '—'
        )}
      </td>
    )}
    <td class="px-3 py-2">
      <AuditDiff before={e.before} after={e.after} />
    </td>
    <td class="px-3 py-2 text-xs text-slate-600">
      {e.ip ?? '—'}
      <span class="block font-mono text-xs text-slate-600" title="Request id">
        {e.request_id ?? ''}
      </span>
    </td>
  </tr>
)

export const AuditTable: FC<{ entries: AuditListEntry[]; showTenant?: boolean }> = ({
  entries,
  showTenant = true,
}) => (
  // Focusable so keyboard users can scroll a wide before/after sideways (WCAG 2.1.1).
  <div
    tabindex={0}
    role="region"
    aria-label="Audit entries"
    class="overflow-x-auto rounded border border-slate-200 bg-white focus-visible:outline focus-visible:outline-2 focus-visible:outline-violet-700"
  >
    <table class="w-full text-sm">
      <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
        <tr>
          <th scope="col" class="px-3 py-2">
            Time
          </th>
          <th scope="col" class="px-3 py-2">
            Actor
          </th>
          <th scope="col" class="px-3 py-2">
            Action
          </th>
          <th scope="col" class="px-3 py-2">
            Target
          </th>
          {showTenant && (
            <th scope="col" class="px-3 py-2">
              Tenant
            </th>
          )}
          <th scope="col" class="px-3 py-2">
            Change
          </th>
          <th scope="col" class="px-3 py-2">
            IP / request
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.length === 0 && (
          <tr>
            <td colspan={7} class="px-3 py-6 text-center text-slate-600">
              No entries.
            </td>
          </tr>
        )}
        {entries.map((e) => (
          <AuditRow entry={e} showTenant={showTenant} />
        ))}
      </tbody>
    </table>
  </div>
)
