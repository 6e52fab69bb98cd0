import type { Plan } from '../../db/plans.js'
import type { FeatureFlag } from '../../db/flags.js'
import type { FlagWhy } from '../../flags/resolve.js'
import { valueLabel } from '../../flags/flag-rules.js'

// How the flag pages and the tenant page say a flag's rules and a resolution's "why" in words.

const planName = (plans: Plan[], id: string) => plans.find((p) => p.id === id)?.name ?? id

/** "In the 10 % rollout", "Value of the Professional plan", … for a tenant on `planId`. */
export function whyText(
  why: FlagWhy,
  flag: Pick<FeatureFlag, 'rolloutPercentage'>,
  plans: Plan[],
  planId: string,
): string {
  switch (why) {
    case 'archived':
      return 'Archived: the default for every tenant'
    case 'override':
      return 'Override for this tenant'
    case 'rollout':
      return `In the ${flag.rolloutPercentage} % rollout`
    case 'plan':
      return `Value of the ${planName(plans, planId)} plan`
    case 'default':
      return 'Default'
  }
}

/** "10 % of Free, Professional → On", or "None" without a rollout. */
export function rolloutText(flag: FeatureFlag, plans: Plan[]): string {
  if (flag.rolloutPercentage === 0 || flag.rolloutValue === null) return 'None'
  const who =
    flag.rolloutPlanIds.length === 0
      ? 'of every plan'
      : `of ${flag.rolloutPlanIds.map((id) => planName(plans, id)).join(', ')}`
  return `${flag.rolloutPercentage} % ${who} → ${valueLabel(flag.rolloutValue)}`
}

/** "Free: Off, Enterprise: On", or "None". */
export function planValuesText(flag: FeatureFlag, plans: Plan[]): string {
  const entries = plans
    .filter((p) => flag.planValues[p.id] !== undefined)
    .map((p) => `${p.name}: ${valueLabel(flag.planValues[p.id])}`)
  return entries.length > 0 ? entries.join(', ') : 'None'
}
