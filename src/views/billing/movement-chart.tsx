import type { FC } from 'hono/jsx'
import type { MrrMovementKind } from '../../db/schema.js'
import { formatMoney } from './money.js'
import { MOVEMENT_KINDS, type MonthMovements } from './movement-months.js'

// The 12-month MRR movements of one currency (issue 12 item 4): an SVG of stacked bars — new,
// expansion and reactivation up, contraction and churn down — with the net as a dark tick, and
// the same numbers as a table for screen readers and for reading exact amounts.

const WIDTH = 720
const HEIGHT = 220
const TOP = 10
const AXIS = 24
const COLOURS: Record<MrrMovementKind, string> = {
  new: '#16a34a',
  expansion: '#0d9488',
  reactivation: '#2563eb',
  contraction: '#f59e0b',
  churn: '#dc2626',
}
export const KIND_LABELS: Record<MrrMovementKind, string> = {
  new: 'New',
  expansion: 'Expansion',
  reactivation: 'Reactivation',
  contraction: 'Contraction',
  churn: 'Churn',
}

const monthName = (month: string) =>
  new Date(`${month}-01T00:00:00Z`).toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })

/** "Net new MRR over 12 months: +€120.00; best month …" for the chart's accessible name. */
function summary(months: readonly MonthMovements[], currency: string): string {
  const net = months.reduce((s, m) => s + m.netCents, 0)
  const first = months[0]?.month ?? ''
  const last = months.at(-1)?.month ?? ''
  const sign = net > 0 ? '+' : ''
  return `MRR movements in ${currency.toUpperCase()} from ${first} to ${last}: net ${sign}${formatMoney(net, currency)}. The table below has every number.`
}

export const MovementChart: FC<{ months: MonthMovements[]; currency: string }> = (p) => {
  const ups = p.months.map((m) => m.cents.new + m.cents.expansion + m.cents.reactivation)
  const downs = p.months.map((m) => -(m.cents.contraction + m.cents.churn))
  const scale = Math.max(1, ...ups, ...downs)
  const half = (HEIGHT - TOP - AXIS) / 2
  const zero = TOP + half
  const slot = WIDTH / p.months.length
  const px = (cents: number) => (Math.abs(cents) / scale) * half
  const id = `chart-${p.currency}`
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-labelledby={`${id}-title`}
      class="w-full max-w-3xl"
      id={id}
    >
      <title id={`${id}-title`}>{summary(p.months, p.currency)}</title>
      <line x1="0" x2={WIDTH} y1={zero} y2={zero} stroke="#94a3b8" />
      {p.months.map((m, i) => {
        const x = i * slot + slot * 0.2
        const w = slot * 0.6
        let up = zero
        let down = zero
        return (
          <g>
            {MOVEMENT_KINDS.map((kind) => {
              const h = px(m.cents[kind])
              if (h === 0) return null
              let y = down
              if (m.cents[kind] > 0) y = up -= h
              else down += h
              return <rect x={x} y={y} width={w} height={h} fill={COLOURS[kind]} />
            })}
            {m.netCents !== 0 && (
              <rect
                x={x - 2}
                y={zero - (m.netCents / scale) * half - 1}
                width={w + 4}
                height="2"
                fill="#0f172a"
              />
            )}
            <text x={x + w / 2} y={HEIGHT - 6} text-anchor="middle" font-size="11" fill="#475569">
              {monthName(m.month)}
            </text>
          </g>
        )
      })}
    </svg>
  )
}

export const ChartLegend: FC = () => (
  <ul class="m-0 mt-2 flex list-none flex-wrap gap-4 p-0 text-xs text-slate-700" aria-hidden="true">
    {MOVEMENT_KINDS.map((kind) => (
      <li>
        {/* Presentation attributes, not style=: the CSP forbids inline styles. */}
        <svg class="align-middle" width="12" height="12" aria-hidden="true">
          <rect width="12" height="12" fill={COLOURS[kind]} />
        </svg>{' '}
        {KIND_LABELS[kind]}
      </li>
    ))}
    <li>
      <svg class="align-middle" width="16" height="12" aria-hidden="true">
        <rect y="5" width="16" height="2" fill="#0f172a" />
      </svg>{' '}
      Net
    </li>
  </ul>
)

/** The chart's numbers: one row per month, one column per kind and the net. */
export const MovementTable: FC<{ months: MonthMovements[]; currency: string }> = (p) => (
  <table class="mt-3 w-full text-sm" id={`movements-${p.currency}`}>
    <caption class="text-left text-slate-600">
      MRR movements per month in {p.currency.toUpperCase()} (UTC months)
    </caption>
    <thead>
      <tr class="text-left text-slate-600">
        <th scope="col">Month</th>
        {MOVEMENT_KINDS.map((kind) => (
          <th scope="col">{KIND_LABELS[kind]}</th>
        ))}
        <th scope="col">Net</th>
      </tr>
    </thead>
    <tbody>
      {p.months.map((m) => (
        <tr id={`movements-${p.currency}-${m.month}`}>
          <th scope="row" class="text-left font-normal">
            {m.month}
          </th>
          {MOVEMENT_KINDS.map((kind) => (
            <td>{formatMoney(m.cents[kind], p.currency)}</td>
          ))}
          <td>{formatMoney(m.netCents, p.currency)}</td>
        </tr>
      ))}
    </tbody>
  </table>
)
