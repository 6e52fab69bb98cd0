import type { Child, FC } from 'hono/jsx'
import { useRequestContext } from 'hono/jsx-renderer'
import { roleCan, type Permission } from '../../auth/permissions.js'
import type { SuperAdmin } from '../../db/super-admins.js'
import type { AppEnv } from '../../web/env.js'
import { FlashMessage } from '../components/flash-message.js'
import { Document } from './document.js'

const SECTIONS: { href: string; label: string; permission: Permission }[] = [
  { href: '/tenants', label: 'Tenants', permission: 'saas.tenants.view' },
  { href: '/audit', label: 'Audit log', permission: 'saas.audit.view' },
  { href: '/super-admins', label: 'Super admins', permission: 'saas.super_admins.manage' },
  { href: '/settings/security', label: 'Security settings', permission: 'saas.settings.edit' },
]

/** The section a path belongs to, by its first segment: `/super-admins/outbox` → Super admins. */
export function activeSection(path: string): string | undefined {
  const first = path.split('/')[1]
  return SECTIONS.find((s) => s.href.split('/')[1] === first)?.href
}

/**
 * The console frame around every console page, read once from the request: the signed-in
 * operator (sidebar, sections their role opens), the active section, the scope and
 * impersonation slots, and the flash. Pages pass only their title and content.
 */
export const ConsoleLayout: FC<{ title: string; children: Child }> = (props) => {
  const c = useRequestContext<AppEnv>()
  const { operator, scopeBar, impersonationBanner, flash } = c.var
  return (
    <Document title={props.title}>
      {impersonationBanner}
      <div class="min-h-screen flex">
        <Sidebar operator={operator} active={activeSection(c.req.path)} />
        <main class="flex-1 min-w-0 p-6">
          {scopeBar}
          <FlashMessage flash={flash} />
          {props.children}
        </main>
      </div>
    </Document>
  )
}

const Sidebar: FC<{ operator: SuperAdmin; active: string | undefined }> = (p) => (
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
      {SECTIONS.filter((s) => roleCan(p.operator.role, s.permission)).map((s) => (
        <li>
          <a
            href={s.href}
            aria-current={p.active === s.href ? 'page' : undefined}
            class={`block px-4 py-2 text-sm no-underline ${p.active === s.href ? 'bg-violet-700 text-white' : 'text-slate-300 hover:bg-slate-800'}`}
          >
            {s.label}
          </a>
        </li>
      ))}
    </ul>
    <div class="px-4 py-3 border-t border-slate-700 text-xs">
      <div class="font-medium text-white">{p.operator.name}</div>
      <div class="text-slate-400">{p.operator.email}</div>
      <div class="text-slate-400">role: {p.operator.role}</div>
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
)
