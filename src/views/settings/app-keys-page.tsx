import type { FC } from 'hono/jsx'
import type { AppKey, AppKeyListItem } from '../../db/app-keys.js'
import { Button } from '../components/button.js'
import { CopyText } from '../components/copy-text.js'
import { Field } from '../components/field.js'
import { Section } from '../components/section.js'
import { formatDateTime } from '../format.js'

export type AppKeyValues = { name: string; appUrl: string }
export type AppKeyErrors = Partial<Record<keyof AppKeyValues, string>>

/** Where the README explains the kit, app keys, the JWKS and the handoff. */
const CONNECT_YOUR_APP = 'README.md, section “Connect your app”'

/** The tenant apps connected to the kit API (owners): list, create, revoke. */
export const AppKeysPage: FC<{
  keys: AppKeyListItem[]
  values: Partial<AppKeyValues>
  errors: AppKeyErrors
}> = (p) => (
  <>
    <h1 class="m-0 mb-4 text-2xl font-semibold">App keys</h1>
    <p class="m-0 mb-4 max-w-3xl text-sm text-slate-600">
      An app key lets your SaaS application — the tenant app your customers use — ask Fleetdeck
      through the kit API who a tenant and its members are, record sign-ins and join requests, and
      receive support operators who click <strong>View as</strong>. Each key names the app's
      address. See {CONNECT_YOUR_APP}.
    </p>
    {p.keys.length === 0 ? <NoAppKeys /> : <AppKeyTable keys={p.keys} />}
    <Section id="new-app-key" title="Create an app key">
      <AppKeyForm values={p.values} errors={p.errors} />
    </Section>
  </>
)

const NoAppKeys: FC = () => (
  <div id="app-key-table" class="mb-6 rounded border border-dashed border-slate-300 bg-white p-5">
    <p class="m-0 text-sm text-slate-700">
      No app keys yet. Create one for each tenant app that uses <code>@fleetdeck/kit</code>; the app
      sends it with every kit API call. How to connect an app: {CONNECT_YOUR_APP}.
    </p>
  </div>
)

export const AppKeyTable: FC<{ keys: AppKeyListItem[] }> = (p) => (
  <div id="app-key-table" class="mb-6 overflow-x-auto rounded border border-slate-200 bg-white">
    <table class="w-full text-sm">
      <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
        <tr>
          {['Name', 'App URL', 'Created', 'Last used', 'Status', 'Actions'].map((h) => (
            <th scope="col" class="px-3 py-2">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {p.keys.map((k) => (
          <AppKeyRow appKey={k} />
        ))}
      </tbody>
    </table>
  </div>
)

const AppKeyRow: FC<{ appKey: AppKeyListItem }> = ({ appKey: k }) => {
  const revocation = `/settings/app-keys/${k.id}/revocation`
  return (
    <tr id={`app-key-${k.id}`} class="border-t border-slate-100">
      <td class="px-3 py-2 font-medium">{k.name}</td>
      <td class="px-3 py-2 font-mono text-xs">{k.appUrl}</td>
      <td class="px-3 py-2 whitespace-nowrap">
        {formatDateTime(k.createdAt)}
        <span class="block text-xs text-slate-600">by {k.createdByEmail ?? 'a removed admin'}</span>
      </td>
      <td class="px-3 py-2 whitespace-nowrap">
        {k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'never'}
      </td>
      <td class="px-3 py-2 whitespace-nowrap">
        {k.revokedAt ? (
          <span class="text-red-800">revoked {formatDateTime(k.revokedAt)}</span>
        ) : (
          <span class="text-green-800">active</span>
        )}
      </td>
      <td class="px-3 py-2 text-right">
        {!k.revokedAt && (
          <form
            method="post"
            action={revocation}
            hx-post={revocation}
            hx-confirm={`Revoke ${k.name}? Its app is refused from the next call on.`}
            class="m-0 inline"
          >
            <button
              type="submit"
              aria-label={`Revoke ${k.name}`}
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

const AppKeyForm: FC<{ values: Partial<AppKeyValues>; errors: AppKeyErrors }> = (p) => (
  <form id="app-key-form" method="post" action="/settings/app-keys" class="max-w-xl">
    <Field
      name="name"
      label="Name"
      value={p.values.name}
      error={p.errors.name}
      autocomplete="off"
      hint="What the app is, for the people reading this list: “Acme workspace (production)”."
      required
    />
    <Field
      name="appUrl"
      label="App URL"
      type="url"
      value={p.values.appUrl}
      error={p.errors.appUrl}
      autocomplete="off"
      hint="The app's origin only, e.g. https://app.example.com or http://127.0.0.1:3001: operators who click View as are sent there."
      required
    />
    <Button>Create app key</Button>
  </form>
)

/** The answer to a successful create: the only page that ever shows the key. */
export const AppKeyCreatedPage: FC<{ appKey: AppKey; token: string; fleetdeckUrl: string }> = (
  p,
) => {
  const env = [
    `FLEETDECK_URL=${p.fleetdeckUrl}`,
    `FLEETDECK_APP_KEY=${p.token}`,
    `APP_URL=${p.appKey.appUrl}`,
  ].join('\n')
  return (
    <>
      <p class="m-0 mb-2 text-sm">
        <a href="/settings/app-keys" class="text-violet-700 underline">
          ← App keys
        </a>
      </p>
      <h1 class="m-0 mb-4 text-2xl font-semibold">App key created: {p.appKey.name}</h1>
      <div role="alert" class="mb-4 rounded border border-amber-300 bg-amber-50 p-4 text-sm">
        <strong>Copy the key now: this is the only time it is shown.</strong> Fleetdeck keeps only a
        hash of it. If it is lost, create a new key and revoke this one.
      </div>
      <Section id="app-key-secret" title="The app key">
        <CopyText id="app-key-token" text={p.token} label="Copy the app key" />
      </Section>
      <Section id="app-key-env" title="Environment of the tenant app">
        <pre
          id="app-key-env-lines"
          class="m-0 mb-2 select-all overflow-x-auto rounded bg-slate-100 p-3 font-mono text-xs"
        >
          {env}
        </pre>
        <button
          type="button"
          hidden
          data-copy={env}
          data-copy-source="app-key-env-lines"
          aria-label="Copy the environment lines"
          class="rounded border border-slate-300 bg-white px-2 py-0.5 text-xs text-slate-800 hover:bg-slate-50 cursor-pointer"
        >
          Copy
        </button>
        <p class="m-0 mt-3 text-xs text-slate-600">
          Keep the key in the app's secrets, never in its repository. How the app uses them:{' '}
          {CONNECT_YOUR_APP}.
        </p>
      </Section>
    </>
  )
}
