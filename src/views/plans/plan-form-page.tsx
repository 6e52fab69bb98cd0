import type { FC } from 'hono/jsx'
import type { FeatureChoice } from '../../db/plan-features.js'
import type { Plan } from '../../db/plans.js'
import type { PlanFormErrors, PlanFormValues } from '../../plans/plan-form.js'
import type { PlanImpact } from '../../plans/plan-impact.js'
import { Button } from '../components/button.js'
import { Field } from '../components/field.js'
import { BackLink, Section } from '../components/section.js'
import { PlanImpactPanel } from './plan-impact-panel.js'

export type PlanFormProps = {
  /** The plan being edited; absent on /plans/new. */
  plan?: Plan
  values: PlanFormValues
  errors: PlanFormErrors
  choices: FeatureChoice[]
  impact?: PlanImpact
  /** Carried when the impact was shown: the next submit confirms these quota values. */
  signature?: string
  /** The save was held back for confirmation. */
  held?: boolean
}

/** GET /plans/new and GET /plans/:id: the plan form, its impact preview and (edit) its actions. */
export const PlanFormPage: FC<PlanFormProps> = (p) => (
  <>
    <BackLink href="/plans">Plans</BackLink>
    <h1 class="m-0 mb-4 text-2xl font-semibold">
      {p.plan ? `Edit plan ${p.plan.name}` : 'New plan'}
    </h1>
    {p.plan?.archivedAt && (
      <p class="m-0 mb-4 text-sm text-slate-700">
        This plan is archived: its tenants keep it, but it is not offered for new tenants or plan
        changes.
      </p>
    )}
    <Section id="plan-details" title="Plan">
      <PlanForm {...p} />
    </Section>
    {p.plan && <PlanActions plan={p.plan} />}
  </>
)

export const PlanForm: FC<PlanFormProps> = (p) => {
  const v = p.values
  const e = p.errors
  const preview = p.plan
    ? {
        'hx-get': `/plans/${p.plan.id}/impact`,
        'hx-trigger': 'input delay:400ms',
        'hx-target': '#plan-impact',
        'hx-swap': 'outerHTML',
        'hx-sync': 'this:replace',
      }
    : {}
  return (
    <form
      id="plan-form"
      method="post"
      action={p.plan ? `/plans/${p.plan.id}` : '/plans'}
      class="max-w-2xl"
      {...preview}
    >
      {!p.plan && (
        <Field
          name="id"
          label="Plan id"
          value={v.id}
          error={e.id}
          required
          hint="Lowercase letters, digits and dashes, e.g. team; it cannot change later."
        />
      )}
      <Field name="name" label="Name" value={v.name} error={e.name} required />
      <div class="grid gap-x-4 sm:grid-cols-3 [&>*]:min-w-0">
        <Field
          name="priceMonthly"
          label="Price per month"
          value={v.priceMonthly}
          error={e.priceMonthly}
          inputmode="text"
          required
          hint="In the currency's major unit, e.g. 49 or 49.90."
        />
        <Field
          name="priceYearly"
          label="Price per year"
          value={v.priceYearly}
          error={e.priceYearly}
          required
        />
        <Field
          name="currency"
          label="Currency"
          value={v.currency}
          error={e.currency}
          required
          hint="ISO 4217 code, e.g. USD."
        />
      </div>
      <fieldset class="mb-4 rounded border border-slate-200 p-4">
        <legend class="px-1 text-sm font-semibold">Quotas (leave blank for unlimited)</legend>
        <div class="grid gap-x-4 sm:grid-cols-2 [&>*]:min-w-0">
          <Field
            name="maxMembers"
            label="Members"
            value={v.maxMembers}
            error={e.maxMembers}
            inputmode="numeric"
          />
          <Field
            name="maxStorage"
            label="Storage"
            value={v.maxStorage}
            error={e.maxStorage}
            hint="E.g. 500 MB, 10 GB, 1 TB (binary units)."
          />
          <Field
            name="maxCustomDomains"
            label="Custom domains"
            value={v.maxCustomDomains}
            error={e.maxCustomDomains}
            inputmode="numeric"
            hint="No usage is recorded for custom domains yet."
          />
          <Field
            name="maxApiCallsPerDay"
            label="API calls per day"
            value={v.maxApiCallsPerDay}
            error={e.maxApiCallsPerDay}
            inputmode="numeric"
          />
        </div>
      </fieldset>
      <div class="mb-4">
        <label class="inline-flex items-center gap-2 text-sm">
          <input type="checkbox" name="isPublic" checked={v.isPublic} />
          Public (offered to new customers)
        </label>
      </div>
      <FeatureChoices choices={p.choices} chosen={v.features} error={e.features} />
      {p.plan && <PlanImpactPanel impact={p.impact} signature={p.signature} held={p.held} />}
      <Button accesskey="s">
        {p.held ? 'Confirm and save' : p.plan ? 'Save plan' : 'Create plan'}
      </Button>
    </form>
  )
}

const FeatureChoices: FC<{ choices: FeatureChoice[]; chosen: string[]; error?: string }> = (p) => (
  <fieldset
    class="mb-4 rounded border border-slate-200 p-4"
    aria-describedby={p.error ? 'features-error' : undefined}
  >
    <legend class="px-1 text-sm font-semibold">Included features</legend>
    {p.choices.length === 0 ? (
      <p class="m-0 text-sm text-slate-600">
        No boolean feature flags yet; create them on <a href="/flags">Feature flags</a>.
      </p>
    ) : (
      <ul class="m-0 list-none p-0">
        {p.choices.map((f) => (
          <li class="mb-1">
            <label class="inline-flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                name="features"
                value={f.id}
                checked={p.chosen.includes(f.id)}
              />
              <code>{f.key}</code>
              {f.description && <span class="text-slate-600">— {f.description}</span>}
            </label>
          </li>
        ))}
      </ul>
    )}
    {p.error && (
      <p id="features-error" class="mt-1 text-sm text-red-700">
        {p.error}
      </p>
    )}
  </fieldset>
)

/** Archive / unarchive and delete, each its own small form. */
const PlanActions: FC<{ plan: Plan }> = ({ plan }) => (
  <Section id="plan-actions" title="Archive or delete">
    <p class="m-0 mb-3 text-sm text-slate-700">
      A plan that any tenant holds (deleted tenants included) cannot be deleted, only archived.
    </p>
    <div class="flex flex-wrap gap-3">
      <form method="post" action={`/plans/${plan.id}/archive`} class="m-0">
        {plan.archivedAt && <input type="hidden" name="_method" value="DELETE" />}
        <Button kind="plain">{plan.archivedAt ? 'Unarchive plan' : 'Archive plan'}</Button>
      </form>
      <form
        method="post"
        action={`/plans/${plan.id}`}
        class="m-0"
        hx-delete={`/plans/${plan.id}`}
        hx-confirm={`Delete the plan ${plan.name}? This cannot be undone.`}
      >
        <input type="hidden" name="_method" value="DELETE" />
        <Button kind="danger">Delete plan</Button>
      </form>
    </div>
  </Section>
)
