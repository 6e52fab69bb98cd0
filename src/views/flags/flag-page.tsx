import type { FC } from 'hono/jsx'
import { roleCan } from '../../auth/permissions.js'
import type { FlagOverrideItem } from '../../db/flag-tenants.js'
import type { FeatureFlag } from '../../db/flags.js'
import type { Plan } from '../../db/plans.js'
import type { SuperAdmin } from '../../db/super-admins.js'
import { formValue, valueLabel, valueOptions } from '../../flags/flag-rules.js'
import { Button } from '../components/button.js'
import { Field } from '../components/field.js'
import { BackLink, Section } from '../components/section.js'
import { formatDateTime } from '../format.js'
import { SelectField, TextAreaField } from './flag-fields.js'
import { FlagTenantFilters, FlagTenantTable, type FlagTenantsProps } from './flag-tenants.js'
import { planValuesText, rolloutText } from './flag-words.js'

/** The flag page's forms, by name. */
export type FlagFormName = 'definition' | 'plans' | 'rollout' | 'override'

/** A refused form: what was typed, and the message per field. */
export type FlagFormState = {
  name: FlagFormName
  values: Record<string, string | string[]>
  errors: Record<string, string>
}

export type FlagPageProps = FlagTenantsProps & {
  operator: SuperAdmin
  overrides: FlagOverrideItem[]
  form?: FlagFormState
}

/** The typed value after a 422 of `form`, else `fallback`. */
function typed(p: FlagPageProps, form: FlagFormName, field: string, fallback: string): string {
  const v = p.form?.name === form ? p.form.values[field] : undefined
  return typeof v === 'string' ? v : fallback
}

function errorOf(p: FlagPageProps, form: FlagFormName, field: string): string | undefined {
  return p.form?.name === form ? p.form.errors[field] : undefined
}

const Definition: FC<FlagPageProps> = (p) => (
  <Section id="definition" title="Definition">
    <dl class="m-0 grid grid-cols-[10rem_1fr] gap-y-1 text-sm">
      <dt class="text-slate-600">Type</dt>
      <dd class="m-0">{p.flag.type}</dd>
      {p.flag.type === 'string' && (
        <>
          <dt class="text-slate-600">Variants</dt>
          <dd class="m-0 font-mono">{p.flag.variants.join(', ')}</dd>
        </>
      )}
      <dt class="text-slate-600">Default</dt>
      <dd class="m-0">{valueLabel(p.flag.defaultValue)}</dd>
      <dt class="text-slate-600">Rollout</dt>
      <dd class="m-0">{rolloutText(p.flag, p.plans)}</dd>
      <dt class="text-slate-600">Plan values</dt>
      <dd class="m-0">{planValuesText(p.flag, p.plans)}</dd>
      <dt class="text-slate-600">Overrides</dt>
      <dd class="m-0">{p.overrides.length}</dd>
      <dt class="text-slate-600">Status</dt>
      <dd class="m-0">
        {p.flag.archivedAt
          ? `Archived ${formatDateTime(p.flag.archivedAt)}: the default for every tenant`
          : 'Active'}
      </dd>
      <dt class="text-slate-600">Updated</dt>
      <dd class="m-0">{formatDateTime(p.flag.updatedAt)}</dd>
    </dl>
  </Section>
)

const EditDefinition: FC<FlagPageProps> = (p) => {
  const f = p.flag
  return (
    <Section id="edit-flag" title="Description, default and variants">
      <form method="post" action={`/flags/${f.key}`} class="max-w-xl">
        <Field
          name="description"
          label="Description"
          value={typed(p, 'definition', 'description', f.description)}
          error={errorOf(p, 'definition', 'description')}
          autocomplete="off"
        />
        {f.type === 'string' && (
          <TextAreaField
            name="variants"
            label="Variants"
            value={typed(p, 'definition', 'variants', f.variants.join(', '))}
            error={errorOf(p, 'definition', 'variants')}
            hint="Comma or newline separated. A variant still used by an override, a plan value or the rollout cannot be removed."
          />
        )}
        {f.type === 'boolean' ? (
          <SelectField
            name="defaultValue"
            label="Default"
            value={typed(p, 'definition', 'defaultValue', formValue(f.defaultValue))}
            options={valueOptions(f)}
            error={errorOf(p, 'definition', 'defaultValue')}
          />
        ) : (
          <Field
            name="defaultValue"
            label="Default"
            value={typed(p, 'definition', 'defaultValue', formValue(f.defaultValue))}
            error={errorOf(p, 'definition', 'defaultValue')}
            autocomplete="off"
            required
          />
        )}
        <Button>Save definition</Button>
      </form>
    </Section>
  )
}

const PlanValues: FC<FlagPageProps> = (p) => (
  <Section id="plan-values" title="Plan values">
    <p class="m-0 mb-3 text-sm text-slate-700">
      A plan's value applies to its tenants unless an override or the rollout decides first.
    </p>
    <form method="post" action={`/flags/${p.flag.key}/plan-values`} class="max-w-xl">
      {errorOf(p, 'plans', 'plans') && (
        <p role="alert" class="m-0 mb-3 text-sm text-red-700">
          {errorOf(p, 'plans', 'plans')}
        </p>
      )}
      {p.plans.map((plan) => (
        <SelectField
          name={`plan-${plan.id}`}
          label={`Value for ${plan.name}`}
          value={typed(p, 'plans', `plan-${plan.id}`, formValue(p.flag.planValues[plan.id]))}
          options={[{ value: '', label: 'No plan value' }, ...valueOptions(p.flag)]}
          error={errorOf(p, 'plans', `plan-${plan.id}`)}
        />
      ))}
      <Button>Save plan values</Button>
    </form>
  </Section>
)

const RolloutForm: FC<FlagPageProps> = (p) => {
  const f = p.flag
  const chosen =
    p.form?.name === 'rollout'
      ? ([p.form.values.planIds ?? []].flat() as string[])
      : f.rolloutPlanIds
  const plansError = errorOf(p, 'rollout', 'planIds')
  return (
    <Section id="rollout" title="Percentage rollout">
      <p class="m-0 mb-3 text-sm text-slate-700">
        Each tenant has a stable place in this flag's rollout: raising 10 % to 20 % keeps the first
        10 %.
      </p>
      <form method="post" action={`/flags/${f.key}/rollout`} class="max-w-xl">
        <Field
          name="percentage"
          label="Rollout percentage"
          type="number"
          inputmode="numeric"
          value={typed(p, 'rollout', 'percentage', String(f.rolloutPercentage))}
          error={errorOf(p, 'rollout', 'percentage')}
          hint="A whole number from 0 (nobody) to 100 (every tenant of the chosen plans)."
          required
        />
        <fieldset
          class="mb-4 border-0 p-0"
          aria-describedby={plansError ? 'rollout-plans-error' : undefined}
        >
          <legend class="mb-1 text-sm font-medium text-slate-700">
            Rollout plans (none chosen = every plan)
          </legend>
          {p.plans.map((plan) => (
            <label class="mr-4 inline-flex items-center gap-1 text-sm">
              <input
                type="checkbox"
                name="planIds"
                value={plan.id}
                checked={chosen.includes(plan.id)}
              />
              {plan.name}
            </label>
          ))}
          {plansError && (
            <p id="rollout-plans-error" class="mt-1 text-sm text-red-700">
              {plansError}
            </p>
          )}
        </fieldset>
        <SelectField
          name="value"
          label="Rollout value"
          value={typed(
            p,
            'rollout',
            'value',
            formValue(f.rolloutValue ?? (f.type === 'boolean' ? true : f.variants[0])),
          )}
          options={valueOptions(f)}
          error={errorOf(p, 'rollout', 'value')}
        />
        <Button>Save rollout</Button>
      </form>
    </Section>
  )
}

const Overrides: FC<FlagPageProps & { canEdit: boolean }> = (p) => {
  const f = p.flag
  return (
    <Section id="overrides" title={`Overrides (${p.overrides.length})`}>
      {p.canEdit && f.archived && (
        <p class="m-0 mb-3 text-sm text-slate-700">
          An archived flag cannot be overridden; unarchive it first.
        </p>
      )}
      {p.canEdit && !f.archived && (
        <form
          method="post"
          action={`/flags/${f.key}/overrides`}
          class="mb-4 flex flex-wrap items-start gap-3"
        >
          <Field
            name="tenant"
            label="Tenant"
            value={typed(p, 'override', 'tenant', '')}
            error={errorOf(p, 'override', 'tenant')}
            hint="The tenant's slug."
            autocomplete="off"
            required
          />
          <SelectField
            name="value"
            id="field-override-value"
            label="Value"
            value={typed(p, 'override', 'value', '')}
            options={valueOptions(f)}
            error={errorOf(p, 'override', 'value')}
          />
          <div class="mt-6">
            <Button>Set override</Button>
          </div>
        </form>
      )}
      {p.overrides.length === 0 ? (
        <p class="m-0 text-sm text-slate-600">No tenant overrides this flag.</p>
      ) : (
        <table class="w-full text-sm">
          <caption class="sr-only">Tenants that override {f.key}</caption>
          <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
            <tr>
              <th scope="col" class="px-3 py-2">
                Tenant
              </th>
              <th scope="col" class="px-3 py-2">
                Value
              </th>
              <th scope="col" class="px-3 py-2">
                Set
              </th>
              <th scope="col" class="px-3 py-2">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {p.overrides.map((o) => (
              <tr id={`override-${o.tenantId}`}>
                <th scope="row" class="cell text-left font-mono font-normal">
                  <a href={`/tenants/${o.tenantId}`} class="text-violet-700 underline">
                    {o.slug}
                  </a>
                </th>
                <td class="cell">{valueLabel(o.value)}</td>
                <td class="cell-nowrap">{formatDateTime(o.updatedAt)}</td>
                <td class="cell text-right">
                  {p.canEdit && (
                    <form method="post" action={`/flags/${f.key}/overrides/${o.tenantId}`}>
                      <input type="hidden" name="_method" value="DELETE" />
                      <Button kind="plain">Remove override</Button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  )
}

const Archive: FC<{ flag: FeatureFlag }> = ({ flag }) => (
  <Section id="archive" title={flag.archived ? 'Unarchive' : 'Archive'}>
    <p class="m-0 mb-3 text-sm text-slate-700">
      {flag.archived
        ? 'Unarchived, the flag resolves by its overrides, rollout and plan values again.'
        : 'An archived flag resolves to its default for every tenant and cannot be overridden. Its rules are kept.'}
    </p>
    <form method="post" action={`/flags/${flag.key}/archive`}>
      {flag.archived && <input type="hidden" name="_method" value="DELETE" />}
      <Button kind={flag.archived ? 'primary' : 'danger'}>
        {flag.archived ? 'Unarchive flag' : 'Archive flag'}
      </Button>
    </form>
  </Section>
)

/** /flags/:key: the definition, the forms that change it, overrides and every tenant's value. */
export const FlagPage: FC<FlagPageProps> = (p) => {
  const canEdit = roleCan(p.operator.role, 'saas.flags.edit')
  return (
    <>
      <BackLink href="/flags">Feature flags</BackLink>
      <div class="mb-4 flex flex-wrap items-center gap-3">
        <h1 class="m-0 font-mono text-2xl font-semibold">{p.flag.key}</h1>
        {p.flag.archived && (
          <span class="rounded bg-slate-200 px-2 py-0.5 text-xs font-medium text-slate-800">
            archived
          </span>
        )}
      </div>
      {p.flag.description && <p class="m-0 mb-4 text-slate-700">{p.flag.description}</p>}
      <Definition {...p} />
      {canEdit && (
        <div class="grid gap-6 lg:grid-cols-2">
          <div>
            <EditDefinition {...p} />
            <PlanValues {...p} />
          </div>
          <div>
            <RolloutForm {...p} />
            <Archive flag={p.flag} />
          </div>
        </div>
      )}
      <Overrides {...p} canEdit={canEdit} />
      <section id="resolved" aria-labelledby="resolved-title" class="mb-6">
        <h2 id="resolved-title" class="m-0 mb-3 text-base font-semibold">
          Resolved value for every tenant
        </h2>
        <FlagTenantFilters flag={p.flag} plans={p.plans} query={p.query} />
        <FlagTenantTable {...p} />
      </section>
    </>
  )
}
