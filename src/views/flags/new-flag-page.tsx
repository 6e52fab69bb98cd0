import type { FC } from 'hono/jsx'
import { Button } from '../components/button.js'
import { Field } from '../components/field.js'
import { BackLink } from '../components/section.js'
import { SelectField, TextAreaField } from './flag-fields.js'

/** What was typed into the create-flag form, shown back after a 422. */
export type NewFlagValues = {
  key: string
  description: string
  type: string
  variants: string
  defaultValue: string
}

export type NewFlagErrors = Partial<Record<keyof NewFlagValues, string>>

export const EMPTY_NEW_FLAG: NewFlagValues = {
  key: '',
  description: '',
  type: 'boolean',
  variants: '',
  defaultValue: 'off',
}

/** The create-flag form; it works without JavaScript (POST /flags, then the flag's page). */
export const NewFlagForm: FC<{ values: NewFlagValues; errors: NewFlagErrors }> = (p) => (
  <form id="new-flag-form" method="post" action="/flags" class="max-w-xl">
    <Field
      name="key"
      label="Key"
      value={p.values.key}
      error={p.errors.key}
      autocomplete="off"
      hint="2–63 lowercase letters, digits or dashes, starting with a letter, such as drawings-beta. It cannot change later."
      required
    />
    <Field
      name="description"
      label="Description"
      value={p.values.description}
      error={p.errors.description}
      autocomplete="off"
    />
    <SelectField
      name="type"
      label="Type"
      value={p.values.type}
      error={p.errors.type}
      options={[
        { value: 'boolean', label: 'Boolean (on or off)' },
        { value: 'string', label: 'String (one of its variants)' },
      ]}
    />
    <TextAreaField
      name="variants"
      label="Variants"
      value={p.values.variants}
      error={p.errors.variants}
      hint="String flags only: comma or newline separated, each lowercase letters, digits, _ or -."
    />
    <Field
      name="defaultValue"
      label="Default"
      value={p.values.defaultValue}
      error={p.errors.defaultValue}
      autocomplete="off"
      hint="on or off for a boolean flag; one of the variants for a string flag."
      required
    />
    <Button accesskey="s">Create flag</Button>
  </form>
)

export const NewFlagPage: FC<{ values: NewFlagValues; errors: NewFlagErrors }> = (p) => (
  <>
    <BackLink href="/flags">Feature flags</BackLink>
    <h1 class="m-0 mb-4 text-2xl font-semibold">New feature flag</h1>
    <NewFlagForm {...p} />
  </>
)
