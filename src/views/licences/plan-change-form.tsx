import type { FC } from 'hono/jsx'
import type { Plan } from '../../db/plans.js'
import { Button } from '../components/button.js'

/**
 * The one-click plan change of a tenant row: the plans it can move to (not archived, not its
 * own) and a button. Posts to /tenants/:id/plan, which redirects back to `back` with a flash.
 */
export const PlanChangeForm: FC<{
  tenant: { id: string; slug: string; planId: string }
  plans: Plan[]
  back: string
}> = ({ tenant, plans, back }) => {
  const offered = plans.filter((p) => !p.archivedAt && p.id !== tenant.planId)
  if (offered.length === 0) return <span class="text-slate-600">No other plan</span>
  const id = `plan-for-${tenant.slug}`
  // An upgrade is what a row near or over a quota usually needs: the next plan up is preselected.
  const current = plans.find((p) => p.id === tenant.planId)?.sortOrder ?? -Infinity
  const next = offered.find((p) => p.sortOrder > current) ?? offered[0]
  return (
    <form method="post" action={`/tenants/${tenant.id}/plan`} class="m-0 flex items-center gap-2">
      <input type="hidden" name="back" value={back} />
      <label for={id} class="sr-only">
        New plan for {tenant.slug}
      </label>
      <select id={id} name="planId" class="rounded border border-slate-300 px-2 py-1 text-sm">
        {offered.map((p) => (
          <option value={p.id} selected={p.id === next.id}>
            {p.name}
          </option>
        ))}
      </select>
      <Button kind="plain">
        Change plan<span class="sr-only"> of {tenant.slug}</span>
      </Button>
    </form>
  )
}
