import type { Child, FC } from 'hono/jsx'
import { roleCan, type Permission } from '../auth/permissions.js'
import type { SuperAdmin } from '../db/super-admins.js'
import { assetUrl } from '../web/assets.js'
import type { Flash } from '../web/flash.js'

const HTMX_CONFIG = JSON.stringify({
  allowEval: false,
  allowScriptTags: false,
  includeIndicatorStyles: false,
  historyCacheSize: 0,
  defaultSwapStyle: 'outerHTML',
  // htmx 2 swaps only 2xx by default; a 422 carries the form with its messages, so swap it too.
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '422', swap: true },
    { code: '[45]..', swap: false, error: true },
  ],
})

const SECTIONS: { href: string; label: string; permission: Permission }[] = [
  { href: '/tenants', label: 'Tenants', permission: 'saas.tenants.view' },
  { href: '/audit', label: 'Audit log', permission: 'saas.audit.view' },
  { href: '/super-admins', label: 'Super admins', permission: 'saas.super_admins.manage' },
  { href: '/settings/security', label: 'Security settings', permission: 'saas.settings.edit' },
]

export const Document: FC<{ title: string; children: Child; bodyClass?: string }> = (props) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="htmx-config" content={HTMX_CONFIG} />
      <title>{props.title} · Fleetdeck</title>
      <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
      <link rel="stylesheet" href={assetUrl('uno.css')} />
      <script src={assetUrl('htmx.min.js')} defer></script>
      <script src={assetUrl('app.js')} defer></script>
    </head>
    <body class={`m-0 ${props.bodyClass ?? 'bg-slate-100 text-slate-900 font-sans antialiased'}`}>
      {props.children}
    </body>
  </html>
)

export const FlashMessage: FC<{ flash?: Flash }> = ({ flash }) => {
  if (!flash) return null
  const colours = {
    success: 'bg-emerald-50 border-emerald-300 text-emerald-900',
    error: 'bg-red-50 border-red-300 text-red-900',
    info: 'bg-sky-50 border-sky-300 text-sky-900',
  }
  return (
    <div
      role={flash.kind === 'error' ? 'alert' : 'status'}
      class={`mb-4 rounded border px-4 py-2 text-sm ${colours[flash.kind]}`}
    >
      {flash.text}
    </div>
  )
}

/** The console frame: sidebar with the sections this role can open, badge, flash, content. */
export const Layout: FC<{
  title: string
  admin: SuperAdmin
  active?: string
  flash?: Flash
  children: Child
}> = (props) => (
  <Document title={props.title}>
    <div class="min-h-screen flex">
      <nav aria-label="Sections" class="w-56 shrink-0 bg-slate-900 text-slate-200 flex flex-col">
        <div class="px-4 py-4 border-b border-slate-700">
          <a href="/tenants" class="text-lg font-semibold text-white no-underline">
            Fleetdeck
          </a>
          <div class="mt-1">
            <span class="inline-block rounded bg-amber-400 text-slate-900 text-xs font-bold uppercase tracking-wide px-2 py-0.5">
              Super Admin
            </span>
          </div>
        </div>
        <ul class="flex-1 py-2 list-none m-0 p-0">
          {SECTIONS.filter((s) => roleCan(props.admin.role, s.permission)).map((s) => (
            <li>
              <a
                href={s.href}
                aria-current={props.active === s.href ? 'page' : undefined}
                class={`block px-4 py-2 text-sm no-underline ${props.active === s.href ? 'bg-violet-700 text-white' : 'text-slate-300 hover:bg-slate-800'}`}
              >
                {s.label}
              </a>
            </li>
          ))}
        </ul>
        <div class="px-4 py-3 border-t border-slate-700 text-xs">
          <div class="font-medium text-white">{props.admin.name}</div>
          <div class="text-slate-400">{props.admin.email}</div>
          <div class="text-slate-400">role: {props.admin.role}</div>
          <a href="/account" class="mt-1 block text-violet-300 underline hover:text-white">
            Your account
          </a>
          <form method="post" action="/logout" class="mt-2">
            <button
              type="submit"
              class="text-violet-300 hover:text-white underline bg-transparent border-0 p-0 cursor-pointer"
            >
              Sign out
            </button>
          </form>
        </div>
      </nav>
      <main class="flex-1 min-w-0 p-6">
        <FlashMessage flash={props.flash} />
        {props.children}
      </main>
    </div>
  </Document>
)

/** Sign-in, setup and enrolment pages: no navigation, a narrow card. */
export const AuthLayout: FC<{ title: string; children: Child; flash?: Flash }> = (props) => (
  <Document title={props.title} bodyClass="bg-slate-900 text-slate-900 font-sans antialiased">
    <main class="min-h-screen flex items-center justify-center p-4">
      <div class="w-full max-w-md rounded-lg bg-white shadow-xl p-8">
        <div class="mb-6 flex items-center gap-2">
          <span class="text-xl font-semibold">Fleetdeck</span>
          <span class="rounded bg-amber-400 text-slate-900 text-xs font-bold uppercase px-2 py-0.5">
            Super Admin
          </span>
        </div>
        <FlashMessage flash={props.flash} />
        {props.children}
      </div>
    </main>
  </Document>
)

/** A labelled input with its error message beside it (aria-describedby ties them). */
export const Field: FC<{
  name: string
  label: string
  type?: string
  value?: string
  error?: string
  autocomplete?: string
  required?: boolean
  inputmode?: 'numeric' | 'email' | 'text'
  hint?: string
  autofocus?: boolean
}> = (p) => {
  const id = `field-${p.name}`
  return (
    <div class="mb-4">
      <label for={id} class="block text-sm font-medium text-slate-700 mb-1">
        {p.label}
      </label>
      <input
        id={id}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.value}
        required={p.required}
        autocomplete={p.autocomplete}
        inputmode={p.inputmode}
        autofocus={p.autofocus}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={p.error ? `${id}-error` : undefined}
        class={`w-full rounded border px-3 py-2 text-sm ${p.error ? 'border-red-500' : 'border-slate-300'}`}
      />
      {p.hint && !p.error && <p class="mt-1 text-xs text-slate-500">{p.hint}</p>}
      {p.error && (
        <p id={`${id}-error`} class="mt-1 text-sm text-red-700">
          {p.error}
        </p>
      )}
    </div>
  )
}

export const Button: FC<{
  children: Child
  kind?: 'primary' | 'danger' | 'plain'
  name?: string
  accesskey?: string
  type?: 'submit' | 'button'
}> = (p) => {
  const styles = {
    primary: 'bg-violet-700 text-white hover:bg-violet-800 border-violet-700',
    danger: 'bg-red-600 text-white hover:bg-red-700 border-red-600',
    plain: 'bg-white text-slate-800 hover:bg-slate-50 border-slate-300',
  }
  return (
    <button
      type={p.type ?? 'submit'}
      name={p.name}
      accesskey={p.accesskey}
      class={`rounded border px-3 py-1.5 text-sm font-medium cursor-pointer ${styles[p.kind ?? 'primary']}`}
    >
      {p.children}
    </button>
  )
}
