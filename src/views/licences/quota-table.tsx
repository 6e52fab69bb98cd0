import type { FC } from 'hono/jsx'
import type { QuotaPressure, QuotaUse } from '../../db/licences.js'
import type { Plan } from '../../db/plans.js'
import { formatBytes } from '../format.js'
import { PlanChangeForm } from './plan-change-form.js'

/** Tenants over (or near) a quota, each with its one-click plan change when `canEdit`. */
export const QuotaTable: FC<{
  id: string
  caption: string
  items: QuotaPressure[]
  plans: Plan[]
  canEdit: boolean
  back: string
}> = (p) => (
  <div id={p.id} class="overflow-x-auto">
    <table class="w-full text-sm">
      <caption class="sr-only">{p.caption}</caption>
      <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
        <tr>
          <th scope="col" class="px-3 py-2">
            Tenant
          </th>
          <th scope="col" class="px-3 py-2">
            Plan
          </th>
          <th scope="col" class="px-3 py-2">
            Members
          </th>
          <th scope="col" class="px-3 py-2">
            Storage
          </th>
          <th scope="col" class="px-3 py-2">
            API calls / day (peak, 7 days)
          </th>
          {p.canEdit && (
            <th scope="col" class="px-3 py-2">
              Change plan
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {p.items.map((t) => (
          <tr id={`${p.id}-${t.slug}`} class="border-t border-slate-100">
            <th scope="row" class="px-3 py-2 text-left font-medium">
              <a href={`/tenants/${t.id}`} class="text-violet-700 underline">
                {t.name}
              </a>
              <div class="text-xs font-normal text-slate-600">{t.slug}</div>
            </th>
            <td class="px-3 py-2">{p.plans.find((x) => x.id === t.planId)?.name ?? t.planId}</td>
            <td class="px-3 py-2">
              <Use use={t.members} format={(n) => n.toLocaleString('en')} />
            </td>
            <td class="px-3 py-2">
              <Use use={t.storage} format={formatBytes} />
            </td>
            <td class="px-3 py-2">
              <Use use={t.apiCallsPerDay} format={(n) => n.toLocaleString('en')} />
            </td>
            {p.canEdit && (
              <td class="px-3 py-2">
                <PlanChangeForm tenant={t} plans={p.plans} back={p.back} />
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  </div>
)

/** "12 / 10 (120 %)", bold and red when over, "—" when not measured, "of unlimited". */
const Use: FC<{ use: QuotaUse; format: (n: number) => string }> = ({ use, format }) => {
  if (use.used === null) return <span class="text-slate-600">not measured</span>
  if (use.limit === null) return <>{format(use.used)} (unlimited)</>
  const percent = use.limit === 0 ? null : Math.round((use.used / use.limit) * 100)
  const over = use.used > use.limit
  return (
    <span
      class={
        over
          ? 'font-semibold text-red-700'
          : percent !== null && percent >= 80
            ? 'font-semibold text-amber-800'
            : ''
      }
    >
      {format(use.used)} / {format(use.limit)}
      {percent !== null && ` (${percent} %)`}
      {over && ' over'}
    </span>
  )
}
