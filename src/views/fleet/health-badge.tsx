import type { FC } from 'hono/jsx'
import type { TenantHealth } from '../../db/schema.js'

/** Colours of a schema's health: red for what is broken, amber for what waits, green for fine. */
export const HEALTH_STYLES: Record<TenantHealth, string> = {
  healthy: 'bg-emerald-100 text-emerald-800',
  missing: 'bg-red-100 text-red-800',
  orphan: 'bg-red-100 text-red-800',
  drift: 'bg-red-100 text-red-800',
  behind: 'bg-amber-100 text-amber-900',
  stuck: 'bg-amber-100 text-amber-900',
}

/** A schema's health as a badge; "not checked" before the first check (issue 11 item 2). */
export const HealthBadge: FC<{ health: TenantHealth | null }> = ({ health }) =>
  health ? (
    <span class={`badge ${HEALTH_STYLES[health]}`}>{health}</span>
  ) : (
    <span class="badge bg-slate-100 text-slate-600">not checked</span>
  )
