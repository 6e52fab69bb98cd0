import type { FC } from 'hono/jsx'
import type { Plan } from '../../db/plans.js'
import { Button } from '../components/button.js'
import { Section } from '../components/section.js'

/** What the form shows: the values to put in the fields (saved, or as just submitted). */
export type SignupFormValues = { publicSignup: boolean; defaultPlanId: string }

export type SignupSettingsProps = {
  values: SignupFormValues
  errors: { defaultPlanId?: string }
  /** Every plan, display order; the select offers the non-archived ones and the saved choice. */
  plans: Plan[]
  /** The plan signups land on now (undefined: none can take new tenants). */
  effectivePlan: Plan | undefined
  /** The saved choice, when it is archived or gone (signups fall back to effectivePlan). */
  unusableChoice?: { id: string; name: string }
  /** The first public, non-archived plan: what "no choice" means. */
  firstPublicPlan: Plan | undefined
}

/** Public signup and the default plan for self-service signups (owners; seed 002). */
export const SignupSettingsPage: FC<SignupSettingsProps> = (p) => (
  <>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Signup settings</h1>
    <SignupWarnings {...p} />
    <Section id="signup" title="Self-service signup">
      <p class="m-0 mb-3 text-sm text-slate-600">
        Tenant apps ask Fleetdeck through the kit whether to show their signup page and create new
        workspaces on the default plan. They see a change within 5 seconds.
      </p>
      <form method="post" action="/settings/signup">
        <div class="mb-4">
          <label class="inline-flex items-center gap-2 text-sm font-medium text-slate-700">
            <input
              type="checkbox"
              name="publicSignup"
              checked={p.values.publicSignup}
              aria-describedby="publicSignup-hint"
            />
            Allow public signup
          </label>
          <p id="publicSignup-hint" class="m-0 mt-1 text-xs text-slate-600">
            When off, tenant apps hide their signup page (the example app’s /signup answers “not
            found”) and Fleetdeck refuses new self-service signups. Operators can still create
            tenants at /tenants/new.
          </p>
        </div>
        <DefaultPlanSelect {...p} />
        <Button accesskey="s">Save signup settings</Button>
      </form>
    </Section>
  </>
)

const SignupWarnings: FC<SignupSettingsProps> = (p) => {
  if (!p.effectivePlan)
    return (
      <p class="m-0 mb-4 rounded border border-amber-400 bg-amber-50 p-3 text-sm text-amber-900">
        No plan can take new tenants (none is public and not archived): signups are refused until
        you choose a default plan or make a plan public.
      </p>
    )
  if (!p.unusableChoice) return null
  return (
    <p
      id="fallback-warning"
      class="m-0 mb-4 rounded border border-amber-400 bg-amber-50 p-3 text-sm text-amber-900"
    >
      The default plan you chose, {p.unusableChoice.name}, is archived or deleted: self-service
      signups land on <strong>{p.effectivePlan.name}</strong>, the first public plan, until you
      choose another.
    </p>
  )
}

const DefaultPlanSelect: FC<SignupSettingsProps> = (p) => {
  const error = p.errors.defaultPlanId
  const offered = p.plans.filter((plan) => !plan.archivedAt)
  return (
    <div class="mb-4">
      <label for="field-defaultPlanId" class="block text-sm font-medium text-slate-700 mb-1">
        Default plan for self-service signups
      </label>
      <select
        id="field-defaultPlanId"
        name="defaultPlanId"
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? 'field-defaultPlanId-error' : 'field-defaultPlanId-hint'}
        class="w-full rounded border border-slate-300 px-3 py-2 text-sm"
      >
        <option value="" selected={p.values.defaultPlanId === ''}>
          The first public plan
          {p.firstPublicPlan ? ` (now ${p.firstPublicPlan.name})` : ' (none now)'}
        </option>
        {offered.map((plan) => (
          <option value={plan.id} selected={plan.id === p.values.defaultPlanId}>
            {plan.name}
            {plan.isPublic ? '' : ' (not public)'}
          </option>
        ))}
        {p.unusableChoice && p.values.defaultPlanId === p.unusableChoice.id && (
          <option value={p.unusableChoice.id} selected>
            {p.unusableChoice.name} (archived: not used)
          </option>
        )}
      </select>
      {error ? (
        <p id="field-defaultPlanId-error" class="mt-1 text-sm text-red-700">
          {error}
        </p>
      ) : (
        <p id="field-defaultPlanId-hint" class="mt-1 text-xs text-slate-600">
          Archived plans take no new tenants; if the plan chosen here is archived later, signups
          fall back to the first public plan.
        </p>
      )}
    </div>
  )
}
