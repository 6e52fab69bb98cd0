import type { Impersonation } from './types.js'

/** Where the banner's End button posts (the kit's Hono routes mounted at /_fleetdeck). */
export const END_PATH = '/_fleetdeck/impersonation/end'

/** What the amber banner of an impersonated page shows, and its text in one line. */
export type Banner = {
  /** e.g. 'Support: ops@fleetdeck.test viewing Acme as ada@acme.test — read-only — 29 min left' */
  text: string
  operatorEmail: string
  userEmail: string
  tenantName: string
  mode: 'read_only' | 'read_write'
  modeLabel: 'read-only' | 'read-write'
  /** Whole minutes left, rounded down like the console's banner (0 in the last minute). */
  minutesLeft: number
  /** Where the End button posts. */
  endPath: string
}

/**
 * The banner for `impersonation`. The countdown comes from Fleetdeck's `secondsLeft` (no trust in
 * the browser's clock, issue 8 item 2), less the time since it was fetched: `fetchedAt` and `now`
 * in ms since the epoch (pass the same for a view just fetched). Whole minutes rounded down, as
 * Fleetdeck's own banner counts them, so both show the same figure; the last minute reads "less
 * than a minute left". Pure.
 */
export function bannerFor(
  impersonation: Impersonation,
  clock: { fetchedAt: number; now: number },
): Banner {
  const msLeft = impersonation.secondsLeft * 1000 - Math.max(0, clock.now - clock.fetchedAt)
  const minutesLeft = Math.max(0, Math.floor(msLeft / 60_000))
  const left = minutesLeft > 0 ? `${minutesLeft} min left` : 'less than a minute left'
  const modeLabel = impersonation.mode === 'read_only' ? 'read-only' : 'read-write'
  const operatorEmail = impersonation.operator.email
  const userEmail = impersonation.user.email
  const tenantName = impersonation.tenant.name
  return {
    text: `Support: ${operatorEmail} viewing ${tenantName} as ${userEmail} — ${modeLabel} — ${left}`,
    operatorEmail,
    userEmail,
    tenantName,
    mode: impersonation.mode,
    modeLabel,
    minutesLeft,
    endPath: END_PATH,
  }
}
