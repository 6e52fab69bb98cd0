import type { Child, FC } from 'hono/jsx'

const STYLES = {
  primary: 'bg-violet-700 text-white hover:bg-violet-800 border-violet-700',
  danger: 'bg-red-600 text-white hover:bg-red-700 border-red-600',
  plain: 'bg-white text-slate-800 hover:bg-slate-50 border-slate-300',
}

export const Button: FC<{
  children: Child
  kind?: keyof typeof STYLES
  name?: string
  accesskey?: string
  type?: 'submit' | 'button'
}> = (p) => (
  <button
    type={p.type ?? 'submit'}
    name={p.name}
    accesskey={p.accesskey}
    class={`rounded border px-3 py-1.5 text-sm font-medium cursor-pointer ${STYLES[p.kind ?? 'primary']}`}
  >
    {p.children}
  </button>
)

/** A link that looks like the primary button: "New tenant", "Invite super admin". */
export const ButtonLink: FC<{ href: string; accesskey?: string; children: Child }> = (p) => (
  <a
    href={p.href}
    accesskey={p.accesskey}
    class="rounded bg-violet-700 px-3 py-1.5 text-sm font-medium text-white no-underline hover:bg-violet-800"
  >
    {p.children}
  </a>
)
