import type { FC } from 'hono/jsx'
import type { Plan } from '../../db/plans.js'
import { offeredPlans } from '../../plans/offered-plans.js'
import { formatMoney } from '../plans/plan-format.js'

/**
 * The plan field of the tenant forms. Archived plans are not offered (issue 9 item 1), except
 * the one `value` names: a tenant that holds an archived plan keeps it when its form is saved.
 */
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
      {offeredPlans(plans, value).map((plan) => (
        <option value={plan.id} selected={plan.id === value}>
          {plan.name} —{' '}
          {plan.priceCentsMonthly === 0
            ? 'free'
            : `${formatMoney(plan.priceCentsMonthly, plan.currency)}/month`}
          , {plan.maxMembers ?? 'unlimited'} members{plan.archivedAt ? ' (archived)' : ''}
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
