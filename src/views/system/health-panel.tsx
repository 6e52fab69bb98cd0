import type { FC } from 'hono/jsx'
import { EMBEDDED_MISSING, type MetricRow, type PanelModel } from '../../health/panel.js'
import type { HealthState } from '../../health/metrics.js'
import { POLL_HEADER } from '../../web/guards.js'
import { Sparkline } from '../components/sparkline.js'
import { formatMetric, thresholdText } from './metric-format.js'

// The panel /system polls every 10 s (issue 10 item 3): the poll swaps only this element, and
// carries POLL_HEADER so it never extends the session. The whole panel is not a live region
// (a screen reader would read every metric every 10 s); the short status line is, and the
// fragment updates it out of band.

const STATE_STYLES: Record<HealthState, string> = {
  healthy: 'bg-emerald-100 text-emerald-900',
  warning: 'bg-amber-100 text-amber-900',
  critical: 'bg-red-100 text-red-900',
  unknown: 'bg-slate-200 text-slate-700',
}

const STATE_WORDS: Record<HealthState, string> = {
  healthy: 'Healthy',
  warning: 'Warning',
  critical: 'Critical',
  unknown: 'Unknown',
}

/** Colour and the word: the state never rests on colour alone. */
export const StateBadge: FC<{ state: HealthState; na?: boolean }> = (p) => (
  <span class={`badge ${STATE_STYLES[p.state]}`}>
    {p.na ? 'Not available' : STATE_WORDS[p.state]}
  </span>
)

const MetricTableRow: FC<{ row: MetricRow }> = ({ row }) => {
  const id = `metric-${row.def.key.replace(/[^a-z0-9]+/gi, '-')}`
  const value = row.value === null ? null : formatMetric(row.def.unit, row.value)
  return (
    <tr id={id} class="border-t border-slate-100 align-top" data-state={row.state}>
      <th scope="row" class="py-2 pr-3 text-left text-sm font-medium">
        {row.def.label}{' '}
        {row.thresholds && (
          <span class="block text-xs font-normal text-slate-600">
            {thresholdText(row.def.unit, row.thresholds)}
          </span>
        )}
      </th>
      <td class="py-2 pr-3 text-sm">
        {row.def.threshold || row.value === null ? (
          <StateBadge state={row.state} na={row.missing === EMBEDDED_MISSING} />
        ) : (
          <span class="text-xs text-slate-600">No threshold</span>
        )}
      </td>
      <td class="py-2 pr-3 text-sm tabular-nums">
        {value ?? <span class="text-slate-600">{row.missing}</span>}
        {row.pid !== undefined && (
          <span class="block text-xs text-slate-600">backend pid {row.pid}</span>
        )}
        {row.def.key === 'pg.longest_query_seconds' && row.value === 0 && row.pid === undefined && (
          <span class="block text-xs text-slate-600">no query running</span>
        )}
      </td>
      <td class="py-2 pr-3">
        {row.trend.length > 0 && (
          <Sparkline
            points={row.trend}
            label={`${row.def.label}, last hour`}
            format={(v) => formatMetric(row.def.unit, v)}
            empty="no samples in the last hour yet"
          />
        )}
      </td>
      <td class="py-2 text-sm">{row.advice && <span class="text-slate-800">{row.advice}</span>}</td>
    </tr>
  )
}

export type HealthPanelProps = {
  model: PanelModel
  /** True when no stored sample was recent enough and this one was taken for the page. */
  live: boolean
  /** `host:pid` of the stored sample's sampler. */
  instance?: string
  ageSeconds: number
  embedded: boolean
}

/** The fragment root (#health-panel) that polls itself. */
export const HealthPanel: FC<HealthPanelProps> = (p) => (
  <div
    id="health-panel"
    hx-get="/system"
    hx-trigger="every 10s"
    hx-swap="outerHTML"
    hx-headers={JSON.stringify({ [POLL_HEADER]: '1' })}
  >
    <p id="sampled-at" class="m-0 mb-4 text-sm text-slate-600">
      Sampled at{' '}
      <time datetime={p.model.takenAt.toISOString()}>
        {p.model.takenAt.toISOString().slice(11, 19)} UTC
      </time>
      {p.live
        ? ' for this page: no stored sample in the last 30 seconds (the scheduler stores one every 10 s).'
        : ` (${p.ageSeconds} s ago${p.instance ? `, by ${p.instance}` : ''}).`}
      {p.embedded && ' Embedded database: metrics PGlite cannot give are marked “Not available”.'}
    </p>
    {p.model.groups.map(({ group, rows }) => (
      <section
        id={`group-${group.toLowerCase()}`}
        aria-labelledby={`group-${group.toLowerCase()}-title`}
        class="mb-6 rounded border border-slate-200 bg-white p-5"
      >
        <h2 id={`group-${group.toLowerCase()}-title`} class="m-0 mb-3 text-base font-semibold">
          {group}
        </h2>
        <table class="w-full table-fixed border-collapse">
          <thead>
            <tr class="text-left text-xs uppercase text-slate-600">
              <th scope="col" class="w-[28%] pb-1 pr-3">
                Metric
              </th>
              <th scope="col" class="w-[12%] pb-1 pr-3">
                State
              </th>
              <th scope="col" class="w-[16%] pb-1 pr-3">
                Value
              </th>
              <th scope="col" class="w-[16%] pb-1 pr-3">
                Last hour
              </th>
              <th scope="col" class="pb-1">
                What to do
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <MetricTableRow row={row} />
            ))}
          </tbody>
        </table>
      </section>
    ))}
  </div>
)

/** The short status line; the page holds the live region, the poll fills it out of band. */
export const HealthStatus: FC<{
  text: string
  critical: number
  warnings: number
  oob?: boolean
}> = (p) => (
  <p
    id="health-status"
    role={p.oob ? undefined : 'status'}
    aria-live={p.oob ? undefined : 'polite'}
    hx-swap-oob={p.oob ? 'innerHTML' : undefined}
    class="m-0"
  >
    <span
      class={`badge ${p.critical > 0 ? STATE_STYLES.critical : p.warnings > 0 ? STATE_STYLES.warning : STATE_STYLES.healthy}`}
    >
      {p.text}
    </span>
  </p>
)
