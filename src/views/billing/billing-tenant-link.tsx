import type { FC } from 'hono/jsx'

/** The tenant's name linking to its page, or the Stripe customer id when it is unmatched. */
export const TenantLink: FC<{ id: string | null; name: string | null; fallback: string }> = (p) =>
  p.id ? (
    <a href={`/tenants/${p.id}`} class="text-violet-700 underline">
      {p.name ?? p.id}
    </a>
  ) : (
    <span>
      {p.fallback} <span class="text-slate-600">(unmatched)</span>
    </span>
  )
