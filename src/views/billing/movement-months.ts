import type { MovementTotal } from '../../db/billing-overview.js'
import type { MrrMovementKind } from '../../db/schema.js'

// The 12-month movement series of one currency for the chart and its table (issue 12 item 4):
// every UTC month present, 0 where nothing moved.

export type MonthMovements = {
  /** `YYYY-MM`, UTC. */
  month: string
  /** Σ delta per kind, cents: ups positive, contraction and churn negative. */
  cents: Record<MrrMovementKind, number>
  /** Σ of all five: the month's net new MRR. */
  netCents: number
}

export const MOVEMENT_KINDS: readonly MrrMovementKind[] = [
  'new',
  'expansion',
  'reactivation',
  'contraction',
  'churn',
]

/** The first instant of the month `months` before `now`'s month, UTC (11 → the series' start). */
export function monthsBack(now: Date, months: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1))
}

/** `count` months ending with `now`'s month, oldest first, from totals of any currencies. */
export function buildMovementMonths(
  totals: readonly MovementTotal[],
  currency: string,
  now: Date,
  count = 12,
): MonthMovements[] {
  const months: MonthMovements[] = []
  for (let back = count - 1; back >= 0; back--) {
    const month = monthsBack(now, back).toISOString().slice(0, 7)
    const cents = { new: 0, expansion: 0, reactivation: 0, contraction: 0, churn: 0 }
    for (const t of totals) {
      if (t.currency === currency && t.month === month) cents[t.kind] += t.deltaCents
    }
    const netCents = MOVEMENT_KINDS.reduce((sum, kind) => sum + cents[kind], 0)
    months.push({ month, cents, netCents })
  }
  return months
}
