import type { Child, FC } from 'hono/jsx'
import { useRequestContext } from 'hono/jsx-renderer'
import { roleCan, type Permission } from '../../auth/permissions.js'
import type { SuperAdmin } from '../../db/super-admins.js'
import type { AppEnv } from '../../web/env.js'
import { FlashMessage } from '../components/flash-message.js'
import { Document } from './document.js'

const SECTIONS: { href: string; label: string; permission: Permission }[] = [
  { href: '/', label: 'Dashboard', permission: 'saas.dashboard.view' },
  { href: '/tenants', label: 'Tenants', permission: 'saas.tenants.view' },
  { href: '/users', label: 'Users', permission: 'saas.users.view' },
  { href: '/join-requests', label: 'Join requests', permission: 'saas.tenants.view' },
  { href: '/plans', label: 'Plans', permission: 'saas.tenants.view' },
  { href: '/licences', label: 'Licences', permission: 'saas.tenants.view' },
  { href: '/billing', label: 'Billing', permission: 'saas.billing.view' },
  { href: '/flags', label: 'Feature flags', permission: 'saas.tenants.view' },
  { href: '/batches', label: 'Bulk changes', permission: 'saas.tenants.view' },
  { href: '/approvals', label: 'Approvals', permission: 'saas.tenants.delete' }, // issue 14
  { href: '/audit', label: 'Audit log', permission: 'saas.audit.view' },
  { href: '/impersonations', label: 'Impersonations', permission: 'saas.audit.view' },
  { href: '/system', label: 'System health', permission: 'saas.system.view' },
  { href: '/fleet', label: 'Fleet', permission: 'saas.system.view' },
  { href: '/jobs', label: 'Jobs', permission: 'saas.system.view' },
  { href: '/super-admins', label: 'Super admins', permission: 'saas.super_admins.manage' },
  { href: '/settings', label: 'Settings', permission: 'saas.settings.edit' },
  { href: '/settings/security', label: 'Security settings', permission: 'saas.settings.edit' },
  { href: '/settings/app-keys', label: 'App keys', permission: 'saas.settings.edit' },
]

/**
 * The section a path belongs to: the one whose address the path starts with (the longest, so
 * `/settings/app-keys` is App keys, not Security settings), else by the first segment:
 * `/super-admins/outbox` → Super admins.
 */
export function activeSection(path: string): string | undefined {
  const within = SECTIONS.filter((s) => path === s.href || path.startsWith(`${s.href}/`))
  if (within.length > 0) return within.sort((a, b) => b.href.length - a.href.length)[0].href
  const first = path.split('/')[1]
  return SECTIONS.find((s) => s.href.split('/')[1] === first)?.href
}

/** A focus ring that shows on the dark sidebar as well as on the light page. */
const FOCUS_RING =
  'focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-300'

/**
 * The console frame around every console page, read once from the request: the signed-in
 * operator (sidebar, sections their role opens), the active section, the scope and
 * impersonation slots, and the flash. Pages pass only their title and content.
 *
 * From 1024 px the sidebar stays in view (sticky, its own scroll); below, it becomes a top bar.
 * One polite live region (`#live-region`) carries what htmx actions and public/app.js announce.
 */
export const ConsoleLayout: FC<{ title: string; children: Child }> = (props) => {
  const c = useRequestContext<AppEnv>()
  const { operator, scopeBar, impersonationBanner, flash, resumedForm } = c.var
  return (
    <Document title={props.title}>
      <a
        href="#main"
        class="sr-only focus:not-sr-only focus:fixed focus:left-3 focus:top-3 focus:z-50 focus:rounded focus:bg-white focus:px-4 focus:py-2 focus:text-sm focus:font-medium focus:text-violet-800 focus:shadow-lg focus:outline focus:outline-2 focus:outline-violet-700"
      >
        Skip to content
      </a>
      {impersonationBanner}
      <div class="min-h-screen lg:flex">
        <Sidebar operator={operator} active={activeSection(c.req.path)} />
        <main id="main" tabindex={-1} class="flex-1 min-w-0 p-4 lg:p-6 focus:outline-none">
          {scopeBar}
          <FlashMessage flash={flash} />
          {props.children}
        </main>
      </div>
      <div id="live-region" aria-live="polite" class="sr-only"></div>
      {resumedForm && (
        <div
          hidden
          id="resume-form"
          data-action={resumedForm.action}
          data-method={resumedForm.method}
          data-fields={JSON.stringify(resumedForm.fields)}
        ></div>
      )}
    </Document>
  )
}

const Sidebar: FC<{ operator: SuperAdmin; active: string | undefined }> = (p) => (
  <nav
    aria-label="Sections"
    class="bg-slate-900 text-slate-200 flex flex-wrap items-center gap-x-2 lg:w-56 lg:shrink-0 lg:flex-col lg:flex-nowrap lg:items-stretch lg:sticky lg:top-0 lg:h-screen"
  >
    <div class="px-4 py-3 lg:py-4 lg:border-b lg:border-slate-700">
      <a href="/" class={`text-lg font-semibold text-white no-underline ${FOCUS_RING}`}>
        Fleetdeck
      </a>
      <div class="mt-1">
        <span class="inline-block rounded bg-amber-400 text-slate-900 text-xs font-bold uppercase tracking-wide px-2 py-0.5">
          Super Admin
        </span>
      </div>
    </div>
    <ul class="flex flex-wrap lg:block lg:flex-1 lg:min-h-0 lg:overflow-y-auto lg:py-2 list-none m-0 p-0">
      {SECTIONS.filter((s) => roleCan(p.operator.role, s.permission)).map((s) => (
        <li>
          <a
            href={s.href}
            aria-current={p.active === s.href ? 'page' : undefined}
            class={`block px-4 py-2 text-sm no-underline ${FOCUS_RING} ${p.active === s.href ? 'bg-violet-700 text-white' : 'text-slate-300 hover:bg-slate-800'}`}
          >
            {s.label}
          </a>
        </li>
      ))}
    </ul>
    <div class="px-4 py-3 text-xs ml-auto lg:ml-0 lg:border-t lg:border-slate-700">
      <div class="font-medium text-white">{p.operator.name}</div>
      <div class="text-slate-400">{p.operator.email}</div>
      <div class="text-slate-400">role: {p.operator.role}</div>
      <a
        href="/account"
        class={`mt-1 block text-violet-300 underline hover:text-white ${FOCUS_RING}`}
      >
        Your account
      </a>
      <form method="post" action="/logout" class="mt-2">
        <button
          type="submit"
          class={`text-violet-300 hover:text-white underline bg-transparent border-0 p-0 cursor-pointer ${FOCUS_RING}`}
        >
          Sign out
        </button>
      </form>
    </div>
  </nav>
)
