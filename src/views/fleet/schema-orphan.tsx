import type { FC } from 'hono/jsx'
import type { Plan } from '../../db/plans.js'
import { Button } from '../components/button.js'
import { Field } from '../components/field.js'
import { Section } from '../components/section.js'
import { PlanSelect } from '../tenants/plan-select.js'

export type AdoptionErrors = Partial<
  Record<
    'name' | 'planId' | 'billingEmail' | 'firstAdminEmail' | 'firstAdminName' | 'schema',
    string
  >
>

/** Adopt an orphan as a new tenant: the slug comes from the schema name. */
export const SchemaAdoption: FC<{
  schema: string
  plans: Plan[]
  values?: Record<string, string>
  errors?: AdoptionErrors
}> = (p) => {
  const v = p.values ?? {}
  const e = p.errors ?? {}
  const slug = p.schema.slice('tenant_'.length).replace(/_/g, '-')
  return (
    <Section id="schema-adoption" title="Adopt as tenant">
      <p class="m-0 mb-3 text-sm">
        Creates tenant <code>{slug}</code> that owns this schema, keeps its rows, applies pending
        migrations, seeds roles and adds the first admin, as onboarding does.
      </p>
      {e.schema && (
        <p role="alert" class="m-0 mb-3 text-sm text-red-700">
          {e.schema}
        </p>
      )}
      <form method="post" action={`/fleet/schemas/${p.schema}/adoption`} class="max-w-md">
        <Field name="name" label="Name" value={v.name} error={e.name} required />
        <PlanSelect plans={p.plans} value={v.planId} error={e.planId} />
        <Field
          name="billingEmail"
          label="Billing email"
          type="email"
          value={v.billingEmail}
          error={e.billingEmail}
          required
        />
        <Field
          name="firstAdminEmail"
          label="First admin email"
          type="email"
          value={v.firstAdminEmail}
          error={e.firstAdminEmail}
          required
        />
        <Field
          name="firstAdminName"
          label="First admin name"
          value={v.firstAdminName}
          error={e.firstAdminName}
          required
        />
        <Button>Adopt as tenant</Button>
      </form>
    </Section>
  )
}

/** Drop an orphan schema: its exact name typed, then step-up. */
export const SchemaDrop: FC<{ schema: string; error?: string }> = (p) => (
  <section
    aria-labelledby="schema-drop-title"
    class="mb-6 rounded border border-red-300 bg-red-50 p-5"
  >
    <h2 id="schema-drop-title" class="m-0 mb-2 text-base font-semibold text-red-900">
      Drop schema
    </h2>
    <p class="m-0 mb-3 text-sm text-red-900">
      Drops <code>{p.schema}</code> with all its tables and rows. This cannot be undone.
    </p>
    <form method="post" action={`/fleet/schemas/${p.schema}`} class="max-w-md">
      <input type="hidden" name="_method" value="DELETE" />
      <Field
        name="confirmName"
        label={`Type ${p.schema} to confirm`}
        error={p.error}
        autocomplete="off"
        required
      />
      <Button kind="danger">Drop this schema</Button>
    </form>
  </section>
)
