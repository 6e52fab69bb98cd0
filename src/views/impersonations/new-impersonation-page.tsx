import type { FC } from 'hono/jsx'
import type { AppKey } from '../../db/app-keys.js'
import type { Tenant } from '../../db/tenants.js'
import type { User } from '../../db/users.js'
import { Button } from '../components/button.js'
import { Field } from '../components/field.js'
import { BackLink } from '../components/section.js'

// "View as" (issue 8 item 2; seeds 001, 002): why, for how long, and read-only unless the
// operator asks otherwise — read-write also needs the tenant's slug typed and a fresh step-up.

export type StartValues = {
  reason: string
  ticket: string
  duration: string
  mode: string
  confirmSlug: string
  app: string
}
export type StartErrors = Partial<Record<keyof StartValues | 'form', string>>

export type NewImpersonationProps = {
  tenant: Tenant
  user: User
  appKeys: AppKey[]
  values?: Partial<StartValues>
  errors?: StartErrors
}

const DURATIONS = ['15', '30', '60']

export const NewImpersonationPage: FC<NewImpersonationProps> = (p) => {
  const v = { duration: '30', mode: 'read_only', ...p.values }
  const e = p.errors ?? {}
  return (
    <>
      <BackLink href={`/tenants/${p.tenant.id}`}>{p.tenant.name}</BackLink>
      <h1 class="m-0 mb-2 text-2xl font-semibold">
        View {p.tenant.name} as {p.user.email}
      </h1>
      <p class="m-0 mb-4 max-w-prose text-sm text-slate-700">
        The tenant’s own audit log will show that Fleetdeck support accessed their workspace, with
        your email and the reason below.
      </p>
      {e.form && (
        <p
          role="alert"
          class="mb-4 max-w-prose rounded border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900"
        >
          {e.form}
        </p>
      )}
      {p.appKeys.length === 0 && (
        <p class="mb-4 max-w-prose rounded border border-amber-300 bg-amber-50 px-4 py-3 text-sm">
          No tenant app is connected: connect one in Settings → App keys first.
        </p>
      )}
      <form
        method="post"
        action="/impersonations"
        class="max-w-xl rounded border border-slate-200 bg-white p-5"
      >
        <input type="hidden" name="tenant" value={p.tenant.id} />
        <input type="hidden" name="user" value={p.user.id} />
        <div class="mb-4">
          <label for="field-reason" class="mb-1 block text-sm font-medium text-slate-700">
            Reason (at least 10 characters)
          </label>
          <textarea
            id="field-reason"
            name="reason"
            required
            minlength={10}
            rows={3}
            aria-invalid={e.reason ? 'true' : undefined}
            aria-describedby={e.reason ? 'field-reason-error' : undefined}
            class={`w-full rounded border px-3 py-2 text-sm ${e.reason ? 'border-red-500' : 'border-slate-300'}`}
          >
            {v.reason ?? ''}
          </textarea>
          {e.reason && (
            <p id="field-reason-error" class="mt-1 text-sm text-red-700">
              {e.reason}
            </p>
          )}
        </div>
        <Field
          name="ticket"
          label="Ticket reference (optional)"
          value={v.ticket}
          error={e.ticket}
        />
        <Choice name="duration" label="Duration" error={e.duration}>
          <select
            id="field-duration"
            name="duration"
            class="rounded border border-slate-300 px-2 py-2 text-sm"
          >
            {DURATIONS.map((d) => (
              <option value={d} selected={v.duration === d}>
                {d} minutes
              </option>
            ))}
          </select>
        </Choice>
        <fieldset
          class="mb-4 border-0 p-0"
          aria-describedby={e.mode ? 'field-mode-error' : undefined}
        >
          <legend class="mb-1 text-sm font-medium text-slate-700">Mode</legend>
          <Radio
            value="read_only"
            checked={v.mode !== 'read_write'}
            label="Read-only (recommended)"
          />
          <Radio
            value="read_write"
            checked={v.mode === 'read_write'}
            label="Read-write: needs a fresh code and the tenant’s slug typed below"
          />
          {e.mode && (
            <p id="field-mode-error" class="mt-1 text-sm text-red-700">
              {e.mode}
            </p>
          )}
        </fieldset>
        <Field
          name="confirmSlug"
          label={`For read-write, type the tenant’s slug (${p.tenant.slug})`}
          value={v.confirmSlug}
          error={e.confirmSlug}
          autocomplete="off"
        />
        {p.appKeys.length > 1 && (
          <Choice name="app" label="Tenant app" error={e.app}>
            <select
              id="field-app"
              name="app"
              class="rounded border border-slate-300 px-2 py-2 text-sm"
            >
              {p.appKeys.map((k) => (
                <option value={k.id} selected={v.app === k.id}>
                  {k.name} ({k.appUrl})
                </option>
              ))}
            </select>
          </Choice>
        )}
        <Button>Start and open the app</Button>
      </form>
    </>
  )
}

const Radio: FC<{ value: string; checked: boolean; label: string }> = (p) => (
  <label class="mb-1 flex items-center gap-2 text-sm">
    <input type="radio" name="mode" value={p.value} checked={p.checked} />
    {p.label}
  </label>
)

const Choice: FC<{ name: string; label: string; error?: string; children: unknown }> = (p) => (
  <div class="mb-4">
    <label for={`field-${p.name}`} class="mb-1 block text-sm font-medium text-slate-700">
      {p.label}
    </label>
    {p.children as never}
    {p.error && (
      <p id={`field-${p.name}-error`} class="mt-1 text-sm text-red-700">
        {p.error}
      </p>
    )}
  </div>
)
