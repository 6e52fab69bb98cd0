import type { FC } from 'hono/jsx'

/** One settings section: where it is, what it holds, and its state now in one line. */
export type SettingsSectionLine = { href: string; title: string; holds: string; state?: string }

/** /settings (owners): every section of the cluster settings with its current state. */
export const SettingsIndexPage: FC<{ sections: SettingsSectionLine[] }> = (p) => (
  <>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Settings</h1>
    <p class="m-0 mb-4 max-w-3xl text-sm text-slate-600">
      Cluster-wide settings, for owners. Every change asks for a fresh TOTP code and is written to
      the audit log with its before and after; secrets appear there only as “changed”.
    </p>
    <ul id="settings-sections" class="m-0 grid list-none gap-3 p-0 md:grid-cols-2">
      {p.sections.map((s) => (
        <li class="rounded border border-slate-200 bg-white p-4">
          <h2 class="m-0 mb-1 text-base font-semibold">
            <a href={s.href} class="text-violet-700 underline">
              {s.title}
            </a>
          </h2>
          <p class="m-0 text-sm text-slate-600">{s.holds}</p>
          {s.state && (
            <p class="m-0 mt-2 text-sm font-medium text-slate-800" data-state-of={s.href}>
              {s.state}
            </p>
          )}
        </li>
      ))}
    </ul>
  </>
)
