import type { FC } from 'hono/jsx'
import { Button } from '../components/button.js'
import { Field } from '../components/field.js'
import { BackLink } from '../components/section.js'
import { RoleSelect } from './role-select.js'

export type InviteValues = { email: string; name: string; role: string }

export const InviteForm: FC<{
  values: Partial<InviteValues>
  errors: Partial<Record<keyof InviteValues, string>>
}> = ({ values, errors }) => (
  <form
    id="invite-form"
    method="post"
    action="/super-admins"
    class="max-w-xl rounded border border-slate-200 bg-white p-6"
  >
    <Field
      name="email"
      label="Email"
      type="email"
      value={values.email}
      error={errors.email}
      autocomplete="off"
      required
      autofocus
    />
    <Field
      name="name"
      label="Name"
      value={values.name}
      error={errors.name}
      autocomplete="off"
      required
    />
    <RoleSelect value={values.role ?? 'viewer'} error={errors.role} />
    <p class="mb-4 text-xs text-slate-600">
      The link in the email works once and for 72 hours. The new admin sets a password and enrols an
      authenticator app before anything else.
    </p>
    <Button>Send invitation</Button>
  </form>
)

export const InvitePage: FC<{
  values: Partial<InviteValues>
  errors: Partial<Record<keyof InviteValues, string>>
}> = (p) => (
  <>
    <BackLink href="/super-admins">Super admins</BackLink>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Invite super admin</h1>
    <InviteForm values={p.values} errors={p.errors} />
  </>
)
