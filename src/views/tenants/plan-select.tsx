import type { FC } from 'hono/jsx'
import type { Plan } from '../../db/plans.js'

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
