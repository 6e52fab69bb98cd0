import type { Child, FC } from 'hono/jsx'

/** A titled white card; the heading names the region for screen readers. */
export const Section: FC<{ id: string; title: Child; children: Child; class?: string }> = (p) => (
  <section
    id={p.id}
    aria-labelledby={`${p.id}-title`}
    class={p.class ?? 'mb-6 rounded border border-slate-200 bg-white p-5'}
  >
    <h2 id={`${p.id}-title`} class="m-0 mb-3 text-base font-semibold">
      {p.title}
    </h2>
    {p.children}
  </section>
)

/** "← Tenants": the way back to the list a page belongs to. */
export const BackLink: FC<{ href: string; children: Child }> = (p) => (
  <p class="m-0 mb-2 text-sm">
    <a href={p.href} class="text-violet-700 underline">
      ← {p.children}
    </a>
  </p>
)
