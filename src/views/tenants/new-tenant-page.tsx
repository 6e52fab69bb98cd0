import type { FC } from 'hono/jsx'
import type { Plan } from '../../db/plans.js'
import { Button } from '../components/button.js'
import { Field } from '../components/field.js'
import { BackLink } from '../components/section.js'
import { PlanSelect } from './plan-select.js'

export type TenantFormValues = {
  slug: string
  name: string
  planId: string
  billingEmail: string
  firstAdminEmail: string
  firstAdminName: string
}

export const TenantForm: FC<{
  values: Partial<TenantFormValues>
  errors: Partial<Record<keyof TenantFormValues, string>>
  plans: Plan[]
}> = ({ values, errors, plans }) => (
  <form
    id="tenant-form"
    method="post"
    action="/tenants"
    class="max-w-xl rounded border border-slate-200 bg-white p-6"
    hx-post="/tenants"
    hx-target="#tenant-form"
  >
    <NewTenantFields values={values} errors={errors} plans={plans} autofocus />
    <Button>Create tenant</Button>
  </form>
)

/** The create form under its heading; a 422 swaps only the form. */
export const NewTenantPage: FC<{
  values: Partial<TenantFormValues>
  errors: Partial<Record<keyof TenantFormValues, string>>
  plans: Plan[]
}> = (p) => (
  <>
    <BackLink href="/tenants">Tenants</BackLink>
    <h1 class="m-0 mb-4 text-2xl font-semibold">New tenant</h1>
    <TenantForm values={p.values} errors={p.errors} plans={p.plans} />
  </>
)

/**
 * A new tenant's fields — slug, name, plan, billing email, first admin — for Create and for
 * "Restore into a new tenant" (issue 11 item 5), validated by src/tenancy/tenant-form.ts.
 */
export const NewTenantFields: FC<{
  values: Partial<TenantFormValues>
  errors: Partial<Record<keyof TenantFormValues, string>>
  plans: Plan[]
  slugLabel?: string
  autofocus?: boolean
}> = ({ values, errors, plans, slugLabel = 'Slug', autofocus = false }) => (
  <>
    <Field
      name="slug"
      label={slugLabel}
      value={values.slug}
      error={errors.slug}
      hint="Lowercase letters, digits and dashes; starts with a letter; 2–39 characters. It names the schema and cannot change."
      required
      autofocus={autofocus}
    />
    <Field name="name" label="Name" value={values.name} error={errors.name} required />
    <PlanSelect plans={plans} value={values.planId} error={errors.planId} />
    <Field
      name="billingEmail"
      label="Billing email"
      type="email"
      value={values.billingEmail}
      error={errors.billingEmail}
      required
    />
    <fieldset class="mb-4 rounded border border-slate-200 p-4">
      <legend class="px-1 text-sm font-medium text-slate-700">First admin</legend>
      <Field
        name="firstAdminEmail"
        label="First admin's email"
        type="email"
        value={values.firstAdminEmail}
        error={errors.firstAdminEmail}
        required
      />
      <Field
        name="firstAdminName"
        label="First admin's name"
        value={values.firstAdminName}
        error={errors.firstAdminName}
        required
      />
    </fieldset>
  </>
)
