import type { FC } from 'hono/jsx'
import type { Impersonation } from '../../db/impersonations.js'
import { POLL_HEADER } from '../../web/guards.js'

// The amber banner above every console page while the signed-in operator impersonates someone
// (DESIGN.md §6, issue 8 item 2). It asks for itself again every 30 s as background polling
// (POLL_HEADER: no session activity); once the impersonation is over the answer is empty and
// the banner goes.

/** Whole minutes left, computed on the server (no trust in the browser's clock). */
export function minutesLeft(imp: Pick<Impersonation, 'expiresAt'>, now: Date): number {
  return Math.max(0, Math.floor((imp.expiresAt.getTime() - now.getTime()) / 60_000))
}

export const ImpersonationBanner: FC<{ impersonation: Impersonation; now: Date }> = (p) => {
  const imp = p.impersonation
  const left = minutesLeft(imp, p.now)
  const button =
    'rounded border border-slate-900 bg-white px-2 py-1 text-xs font-semibold text-slate-900 cursor-pointer hover:bg-amber-50'
  return (
    <div
      id="impersonation-banner"
      role="status"
      aria-live="polite"
      hx-get="/impersonations/banner"
      hx-trigger="every 30s"
      hx-swap="outerHTML"
      hx-headers={JSON.stringify({ [POLL_HEADER]: '1' })}
      class="flex flex-wrap items-center gap-3 border-b-2 border-amber-600 bg-amber-300 px-4 py-2 text-sm text-slate-900"
    >
      <span>
        <strong>Support:</strong> {imp.operatorEmail} viewing {imp.tenantName} as {imp.userEmail} —{' '}
        {imp.mode === 'read_write' ? 'read-write' : 'read-only'} —{' '}
        {left > 0 ? `${left} min left` : 'less than a minute left'}
      </span>
      <span class="ml-auto flex gap-2">
        <form method="post" action={`/impersonations/${imp.id}/handoff`} class="m-0">
          <button type="submit" class={button}>
            Open app
          </button>
        </form>
        <form method="post" action={`/impersonations/${imp.id}/end`} class="m-0">
          <button type="submit" class={button}>
            End
          </button>
        </form>
      </span>
    </div>
  )
}
