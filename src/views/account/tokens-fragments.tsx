import type { FC } from 'hono/jsx'
import { apiTokenStatus, type ApiToken } from '../../db/api-tokens.js'
import { Button } from '../components/button.js'
import { Field } from '../components/field.js'
import { formatDateTime } from '../format.js'

/** What the create form holds (as typed); `permissions` is every checked box. */
export type TokenValues = {
  name?: string
  permissions?: string[]
  expiresInDays?: string
  expiresOn?: string
  stepUp?: boolean
}
export type TokenErrors = Partial<Record<'name' | 'permissions' | 'expiresAt', string>>

/** The lifetimes the select offers, in days (the longest is the rule's limit, one year). */
export const EXPIRY_CHOICES = ['7', '30', '90', '180', '365'] as const

const STATUS_CLASS = {
  active: 'text-green-800',
  expired: 'text-slate-600',
  revoked: 'text-red-800',
}

/** A list of tokens; `showOwner` adds the owner column (the owners' view of everyone's). */
export const TokenTable: FC<{ id: string; tokens: ApiToken[]; now: Date; showOwner: boolean }> = (
  p,
) =>
  p.tokens.length === 0 ? (
    <p id={p.id} class="m-0 text-sm text-slate-700">
      No API tokens yet.
    </p>
  ) : (
    // Focusable so keyboard users can scroll the permissions sideways (WCAG 2.1.1).
    <div
      id={p.id}
      tabindex={0}
      role="region"
      aria-label={p.showOwner ? "All operators' API tokens" : 'Your API tokens'}
      class="overflow-x-auto focus-visible:outline focus-visible:outline-2 focus-visible:outline-violet-700"
    >
      <table class="w-full text-sm">
        <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
          <tr>
            {[
              'Name',
              ...(p.showOwner ? ['Owner'] : []),
              'Permissions',
              'Created',
              'Expires',
              'Last used',
              'Status',
              'Actions',
            ].map((h) => (
              <th scope="col" class="px-3 py-2">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {p.tokens.map((t) => (
            <TokenRow token={t} now={p.now} showOwner={p.showOwner} idPrefix={p.id} />
          ))}
        </tbody>
      </table>
    </div>
  )

const TokenRow: FC<{ token: ApiToken; now: Date; showOwner: boolean; idPrefix: string }> = ({
  token: t,
  now,
  showOwner,
  idPrefix,
}) => {
  const status = apiTokenStatus(t, now)
  return (
    <tr id={`${idPrefix}-${t.id}`} class="border-t border-slate-100 align-top">
      <td class="px-3 py-2 font-medium">
        {t.name}
        <span class="block font-mono text-xs text-slate-600">fdt_{t.id.slice(0, 8)}…</span>
      </td>
      {showOwner && <td class="px-3 py-2">{t.ownerEmail}</td>}
      <td class="px-3 py-2">
        <ul class="m-0 list-none p-0 font-mono text-xs">
          {t.permissions.map((perm) => (
            <li>{perm}</li>
          ))}
        </ul>
        {t.stepUp && <span class="text-xs text-amber-800">with step-up</span>}
      </td>
      <td class="px-3 py-2 whitespace-nowrap">{formatDateTime(t.createdAt)}</td>
      <td class="px-3 py-2 whitespace-nowrap">{formatDateTime(t.expiresAt)}</td>
      <td class="px-3 py-2 whitespace-nowrap">
        {t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'never'}
        {t.lastUsedIp && <span class="block text-xs text-slate-600">from {t.lastUsedIp}</span>}
      </td>
      <td class={`px-3 py-2 whitespace-nowrap ${STATUS_CLASS[status]}`}>
        {status}
        {t.revokedAt && (
          <span class="block text-xs text-slate-600">
            {formatDateTime(t.revokedAt)}
            {t.revokedByEmail && ` by ${t.revokedByEmail}`}
          </span>
        )}
      </td>
      <td class="px-3 py-2 text-right">
        {status !== 'revoked' && (
          <form method="post" action={`/account/tokens/${t.id}`} class="m-0 inline">
            <input type="hidden" name="_method" value="DELETE" />
            <button
              type="submit"
              aria-label={`Revoke ${t.name}${showOwner ? ` of ${t.ownerEmail}` : ''}`}
              class="rounded border border-red-300 bg-white px-2 py-1 text-xs text-red-800 hover:bg-red-50 cursor-pointer"
            >
              Revoke
            </button>
          </form>
        )}
      </td>
    </tr>
  )
}

/** The create form: name, permissions (only the role's), expiry, and step-up. */
export const TokenForm: FC<{
  choices: readonly string[]
  values: TokenValues
  errors: TokenErrors
}> = (p) => {
  const chosen = p.values.permissions ?? []
  const days = p.values.expiresInDays ?? '90'
  return (
    <form id="token-form" method="post" action="/account/tokens" class="max-w-xl">
      <Field
        name="name"
        label="Name"
        value={p.values.name}
        error={p.errors.name}
        autocomplete="off"
        hint="What uses it, for the people reading this list: “terraform”, “nightly report”."
        required
      />
      <fieldset
        class="mb-4 rounded border border-slate-200 p-4"
        aria-describedby={p.errors.permissions ? 'permissions-error' : 'permissions-hint'}
      >
        <legend class="px-1 text-sm font-semibold">Permissions</legend>
        <p id="permissions-hint" class="m-0 mb-2 text-xs text-slate-600">
          Only the permissions your role holds; the token loses any your role loses later.
        </p>
        <ul class="m-0 list-none p-0">
          {p.choices.map((perm) => (
            <li class="mb-1">
              <label class="inline-flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  name="permissions"
                  value={perm}
                  checked={chosen.includes(perm)}
                />
                <code>{perm}</code>
              </label>
            </li>
          ))}
        </ul>
        {p.errors.permissions && (
          <p id="permissions-error" class="mt-1 text-sm text-red-700">
            {p.errors.permissions}
          </p>
        )}
      </fieldset>
      <fieldset
        class="mb-4 rounded border border-slate-200 p-4"
        aria-describedby={p.errors.expiresAt ? 'expiry-error' : undefined}
      >
        <legend class="px-1 text-sm font-semibold">Expiry (required, at most one year)</legend>
        <label for="field-expiresInDays" class="block text-sm font-medium text-slate-700 mb-1">
          Expires in
        </label>
        <select
          id="field-expiresInDays"
          name="expiresInDays"
          class="mb-3 rounded border border-slate-300 px-3 py-2 text-sm"
        >
          {EXPIRY_CHOICES.map((d) => (
            <option value={d} selected={d === days}>
              {d} days
            </option>
          ))}
        </select>
        <label for="field-expiresOn" class="block text-sm font-medium text-slate-700 mb-1">
          Or on a date (00:00 UTC; overrides the choice above)
        </label>
        <input
          id="field-expiresOn"
          name="expiresOn"
          type="date"
          value={p.values.expiresOn}
          aria-invalid={p.errors.expiresAt ? 'true' : undefined}
          class={`rounded border px-3 py-2 text-sm ${p.errors.expiresAt ? 'border-red-500' : 'border-slate-300'}`}
        />
        {p.errors.expiresAt && (
          <p id="expiry-error" class="mt-1 text-sm text-red-700">
            {p.errors.expiresAt}
          </p>
        )}
      </fieldset>
      <div class="mb-4">
        <label class="inline-flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            name="stepUp"
            value="on"
            checked={p.values.stepUp}
            aria-describedby="stepUp-hint"
          />
          Allow actions that need step-up
        </label>
        <p id="stepUp-hint" class="m-0 mt-1 text-xs text-slate-600">
          Deleting tenants, managing super admins and the other actions the console confirms with
          your TOTP code. Creating such a token asks for your TOTP code first.
        </p>
      </div>
      <Button>Create token</Button>
    </form>
  )
}
