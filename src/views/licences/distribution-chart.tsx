import type { FC } from 'hono/jsx'
import type { TenantStatus } from '../../db/schema.js'

/** Statuses a live tenant can have, in the order the bars stack them. */
export const CHART_STATUSES: TenantStatus[] = ['active', 'suspended', 'provisioning', 'failed']

const COLOURS: Record<string, string> = {
  active: '#047857',
  suspended: '#b45309',
  provisioning: '#0369a1',
  failed: '#b91c1c',
}

/** One bar: a plan and its tenants per status. */
export type DistributionBar = { planId: string; label: string; counts: Record<string, number> }

const LABEL_WIDTH = 130
const BAR_WIDTH = 360
const ROW = 30

/**
 * Tenants by plan and status as a stacked horizontal bar chart, drawn on the server as SVG
 * (no script). The SVG is one image to assistive technology (`role="img"`, its title and a
 * description with every number); the table beside it carries the same numbers.
 */
export const DistributionChart: FC<{ bars: DistributionBar[] }> = ({ bars }) => {
  const totals = bars.map((b) => CHART_STATUSES.reduce((n, s) => n + (b.counts[s] ?? 0), 0))
  const max = Math.max(1, ...totals)
  const height = bars.length * ROW + 40
  const description = bars
    .map(
      (b, i) =>
        `${b.label}: ${totals[i]} (${CHART_STATUSES.map((s) => `${b.counts[s] ?? 0} ${s}`).join(', ')})`,
    )
    .join('; ')
  return (
    <svg
      role="img"
      aria-labelledby="distribution-title distribution-desc"
      viewBox={`0 0 ${LABEL_WIDTH + BAR_WIDTH + 50} ${height}`}
      width="100%"
      class="max-w-xl"
    >
      <title id="distribution-title">Tenants by plan and status</title>
      <desc id="distribution-desc">{description}</desc>
      {bars.map((b, i) => {
        let x = LABEL_WIDTH
        const y = i * ROW + 4
        return (
          <g>
            <text x={LABEL_WIDTH - 8} y={y + 16} text-anchor="end" font-size="12" fill="#1e293b">
              {b.label}
            </text>
            {CHART_STATUSES.map((s) => {
              const w = ((b.counts[s] ?? 0) / max) * BAR_WIDTH
              const rect = w > 0 && (
                <rect x={x} y={y} width={w} height={ROW - 10} fill={COLOURS[s]} />
              )
              x += w
              return rect
            })}
            <text x={x + 6} y={y + 16} font-size="12" fill="#1e293b">
              {totals[i]}
            </text>
          </g>
        )
      })}
      <g transform={`translate(${LABEL_WIDTH}, ${bars.length * ROW + 12})`}>
        {CHART_STATUSES.map((s, i) => (
          <g transform={`translate(${i * 95}, 0)`}>
            <rect width="12" height="12" fill={COLOURS[s]} />
            <text x="16" y="11" font-size="12" fill="#1e293b">
              {s}
            </text>
          </g>
        ))}
      </g>
    </svg>
  )
}
