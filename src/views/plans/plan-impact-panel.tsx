import type { FC } from 'hono/jsx'
import type { PlanImpact, QuotaImpact } from '../../plans/plan-impact.js'
import { QUOTA_LABELS, quotaText } from './plan-format.js'

/**
 * What the quota changes on the form do to the plan's tenants: the fragment GET
 * /plans/:id/impact answers as the operator types, and the confirmation step of a save without
 * JavaScript. When it carries `signature`, the form's next submit confirms exactly these values.
 */
export const PlanImpactPanel: FC<{
  impact?: PlanImpact
  signature?: string
  /** The save was held back for confirmation (the two-step form). */
  held?: boolean
  invalid?: boolean
}> = (p) => (
  <div id="plan-impact" aria-live="polite" class="mb-4">
    {p.invalid && (
      <p class="m-0 text-sm text-slate-600">Enter valid quota values to see their impact.</p>
    )}
    {p.impact && p.impact.quotas.length === 0 && !p.invalid && (
      <p class="m-0 text-sm text-slate-600">No quota changes: no tenant is affected.</p>
    )}
    {p.impact && p.impact.quotas.length > 0 && (
      <div
        class={`rounded border p-4 text-sm ${p.impact.tightens ? 'border-amber-300 bg-amber-50' : 'border-slate-200 bg-slate-50'}`}
      >
        {p.held && (
          <p role="alert" class="m-0 mb-2 font-semibold text-amber-900">
            Not saved yet: this tightens a quota. Check the impact below, then confirm to save.
          </p>
        )}
        <h2 class="m-0 mb-2 text-base font-semibold">
          Impact on the {p.impact.tenants.toLocaleString('en')} tenant
          {p.impact.tenants === 1 ? '' : 's'} on this plan
        </h2>
        <ul class="m-0 pl-5">
          {p.impact.quotas.map((q) => (
            <li id={`impact-${q.field}`}>
              <QuotaImpactLine quota={q} />
            </li>
          ))}
        </ul>
        {p.impact.withoutStorageSnapshot > 0 &&
          p.impact.quotas.some((q) => q.field === 'maxStorageBytes') && (
            <p class="m-0 mt-2 text-slate-700">
              {p.impact.withoutStorageSnapshot} tenant(s) have no storage snapshot yet and are not
              counted for storage.
            </p>
          )}
        {p.signature && <input type="hidden" name="confirmImpact" value={p.signature} />}
      </div>
    )}
  </div>
)

const QuotaImpactLine: FC<{ quota: QuotaImpact }> = ({ quota: q }) => {
  const change = `${QUOTA_LABELS[q.field]}: ${quotaText(q.field, q.before)} → ${quotaText(q.field, q.after)}`
  if (!q.tightened) return <>{change} — loosened; tenants get the new value on their next call.</>
  const over =
    q.tenantsOver === null
      ? 'no usage is recorded for custom domains, so who is over it cannot be told.'
      : `${q.tenantsOver.toLocaleString('en')} already over ${quotaText(q.field, q.after)}.`
  return (
    <>
      {change} — tightens it for <strong>{q.tenantsTightened.toLocaleString('en')}</strong> tenant
      {q.tenantsTightened === 1 ? '' : 's'}; {over}
    </>
  )
}
