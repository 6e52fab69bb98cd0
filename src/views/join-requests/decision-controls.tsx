import type { FC } from 'hono/jsx'
import type { JoinRequestListItem } from '../../db/join-requests.js'
import type { MembershipRole } from '../../db/schema.js'

// The approve and deny controls of /join-requests: one bulk form for the checked rows, and each
// pending row's own pair. All post to POST /join-requests/approval or /denial.

/** What a decision form sent back, with messages next to its fields (a 422). */
export type DecisionForm = {
  ids: string[]
  role: string
  reason: string
  /** The row whose own form was used; undefined for the bulk form. */
  rowId?: string
  errors: Partial<Record<'ids' | 'role' | 'reason', string>>
}

export const ROLES: MembershipRole[] = ['member', 'admin', 'owner']

/** The roles an operator may grant by approving: all with saas.users.edit, else member only. */
export function grantableRoles(canEditUsers: boolean): MembershipRole[] {
  return canEditUsers ? ROLES : ['member']
}

const ErrorText: FC<{ id: string; text?: string }> = (p) =>
  p.text ? (
    <p id={p.id} class="m-0 mt-1 text-xs text-red-700">
      {p.text}
    </p>
  ) : null

const RoleSelect: FC<{
  id: string
  label: string
  value: string
  error?: string
  sr?: boolean
  roles: MembershipRole[]
}> = (p) => (
  <span class="inline-block">
    <label for={p.id} class={p.sr ? 'sr-only' : 'mr-1 text-xs font-medium text-slate-700'}>
      {p.label}
    </label>
    <select
      id={p.id}
      name="role"
      aria-invalid={p.error ? 'true' : undefined}
      aria-describedby={p.error ? `${p.id}-error` : undefined}
      class="rounded border border-slate-300 px-1 py-1 text-xs"
    >
      {p.roles.map((r) => (
        <option value={r} selected={p.value === r}>
          {r}
        </option>
      ))}
    </select>
    <ErrorText id={`${p.id}-error`} text={p.error} />
  </span>
)

const BUTTON =
  'rounded border px-2 py-1 text-xs font-medium cursor-pointer focus:outline focus:outline-2 focus:outline-violet-700'

/**
 * Approve or deny the checked rows: one form the row checkboxes join with `form=`, so the rows'
 * own forms need not nest in it. Without JavaScript the buttons post (`formaction`) and the
 * server redirects back with a flash; under htmx the list is swapped in place.
 */
export const BulkDecision: FC<{ back: string; form?: DecisionForm; roles: MembershipRole[] }> = ({
  back,
  form,
  roles,
}) => {
  const bulk = form && !form.rowId ? form : undefined
  return (
    <form
      id="join-requests-bulk"
      method="post"
      action="/join-requests/approval"
      hx-target="#join-requests"
      hx-swap="outerHTML"
      aria-label="Decide the selected requests"
      class="mb-3 flex flex-wrap items-start gap-3 rounded border border-slate-200 bg-white p-3"
    >
      <input type="hidden" name="back" value={back} />
      <span class="text-xs text-slate-700">
        Selected requests:
        <ErrorText id="bulk-ids-error" text={bulk?.errors.ids} />
      </span>
      <RoleSelect
        id="bulk-role"
        label="Role"
        value={bulk?.role ?? 'member'}
        error={bulk?.errors.role}
        roles={roles}
      />
      <button
        type="submit"
        hx-post="/join-requests/approval"
        class={`${BUTTON} border-emerald-700 bg-emerald-700 text-white`}
      >
        Approve selected
      </button>
      <span class="inline-block">
        <label for="bulk-reason" class="mr-1 text-xs font-medium text-slate-700">
          Reason
        </label>
        <input
          id="bulk-reason"
          name="reason"
          value={bulk?.reason ?? ''}
          maxlength={500}
          aria-invalid={bulk?.errors.reason ? 'true' : undefined}
          aria-describedby={bulk?.errors.reason ? 'bulk-reason-error' : undefined}
          class="w-56 rounded border border-slate-300 px-2 py-1 text-xs"
        />
        <ErrorText id="bulk-reason-error" text={bulk?.errors.reason} />
      </span>
      <button
        type="submit"
        formaction="/join-requests/denial"
        hx-post="/join-requests/denial"
        class={`${BUTTON} border-red-700 bg-white text-red-800`}
      >
        Deny selected
      </button>
    </form>
  )
}

/** One request's own Approve (with a role) and Deny (with a reason, behind a disclosure). */
export const RowDecision: FC<{
  r: JoinRequestListItem
  back: string
  form?: DecisionForm
  roles: MembershipRole[]
}> = ({ r, back, form, roles }) => {
  const mine = form?.rowId === r.id ? form : undefined
  const common = { 'hx-target': '#join-requests', 'hx-swap': 'outerHTML' }
  return (
    <div class="flex flex-wrap items-start justify-end gap-2">
      <form
        method="post"
        action="/join-requests/approval"
        hx-post="/join-requests/approval"
        {...common}
      >
        <input type="hidden" name="ids" value={r.id} />
        <input type="hidden" name="row" value={r.id} />
        <input type="hidden" name="back" value={back} />
        <RoleSelect
          id={`role-${r.id}`}
          label={`Role for ${r.email}`}
          value={mine?.role ?? 'member'}
          error={mine?.errors.role}
          sr
          roles={roles}
        />{' '}
        <button
          type="submit"
          aria-label={`Approve ${r.email}`}
          class={`${BUTTON} border-emerald-700 bg-emerald-50 text-emerald-900`}
        >
          Approve
        </button>
      </form>
      <details open={mine?.errors.reason ? true : undefined} class="text-left">
        <summary class="cursor-pointer text-xs text-red-800 underline">
          Deny<span class="sr-only"> {r.email}</span>
        </summary>
        <form
          method="post"
          action="/join-requests/denial"
          hx-post="/join-requests/denial"
          {...common}
          class="mt-1"
        >
          <input type="hidden" name="ids" value={r.id} />
          <input type="hidden" name="row" value={r.id} />
          <input type="hidden" name="back" value={back} />
          <label for={`reason-${r.id}`} class="block text-xs font-medium text-slate-700">
            Reason for denying {r.email}
          </label>
          <input
            id={`reason-${r.id}`}
            name="reason"
            value={mine?.reason ?? ''}
            maxlength={500}
            aria-invalid={mine?.errors.reason ? 'true' : undefined}
            aria-describedby={mine?.errors.reason ? `reason-${r.id}-error` : undefined}
            class="w-48 rounded border border-slate-300 px-2 py-1 text-xs"
          />
          <ErrorText id={`reason-${r.id}-error`} text={mine?.errors.reason} />
          <button type="submit" class={`${BUTTON} mt-1 border-red-700 bg-white text-red-800`}>
            Deny request
          </button>
        </form>
      </details>
    </div>
  )
}
