import type { FC } from 'hono/jsx'

// A trend line drawn on the server as SVG (issue 10 items 2, 3): no client script, no canvas.
// The picture is hidden from screen readers; the same numbers follow as text they read.

export type SparklinePoint = {
  /** What the point is, for the text alternative: a day (`2026-12-01`) or a time (`12:00:10`). */
  label: string
  /** null where nothing was measured: the line breaks there rather than dropping to zero. */
  value: number | null
}

/** Screen coordinates of each point, y scaled between the series' min and max (flat → middle). */
export function sparklinePaths(
  values: (number | null)[],
  width: number,
  height: number,
  pad = 2,
): string[] {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v))
  if (known.length === 0) return []
  const min = Math.min(...known)
  const max = Math.max(...known)
  const step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0
  const y = (v: number) =>
    max === min ? height / 2 : pad + (height - 2 * pad) * (1 - (v - min) / (max - min))
  const runs: string[] = []
  let run: string[] = []
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      if (run.length > 0) runs.push(run.join(' '))
      run = []
      return
    }
    run.push(`${(pad + step * i).toFixed(1)},${y(v).toFixed(1)}`)
  })
  if (run.length > 0) runs.push(run.join(' '))
  return runs
}

/**
 * A small line chart of `points` with a text alternative: "`label`: day 1 3, day 2 4, …".
 * A run of one point is drawn as a dot. With no values at all it draws nothing and says `empty`.
 */
export const Sparkline: FC<{
  points: SparklinePoint[]
  /** Names the series for screen readers, e.g. "Active tenants, last 30 days". */
  label: string
  /** How a value reads, e.g. bytes as "1.2 MB" (default: the number). */
  format?: (value: number) => string
  /** Said instead of the numbers when none were measured yet. */
  empty?: string
  width?: number
  height?: number
  class?: string
}> = (p) => {
  const width = p.width ?? 120
  const height = p.height ?? 28
  const format = p.format ?? ((v: number) => String(v))
  const values = p.points.map((point) => point.value)
  const runs = sparklinePaths(values, width, height)
  const text =
    runs.length === 0
      ? `${p.label}: ${p.empty ?? 'no data yet'}`
      : `${p.label}: ${p.points
          .map(
            (point) =>
              `${point.label} ${point.value === null ? 'not measured' : format(point.value)}`,
          )
          .join(', ')}`
  return (
    <span class={p.class ?? 'inline-block'}>
      {runs.length > 0 && (
        <svg
          aria-hidden="true"
          focusable="false"
          width={width}
          height={height}
          viewBox={`0 0 ${width} ${height}`}
          class="block overflow-visible text-violet-700"
        >
          {runs.map((points) =>
            points.includes(' ') ? (
              <polyline
                points={points}
                fill="none"
                stroke="currentColor"
                stroke-width="1.5"
                stroke-linejoin="round"
                stroke-linecap="round"
              />
            ) : (
              <circle
                cx={points.split(',')[0]}
                cy={points.split(',')[1]}
                r="1.5"
                fill="currentColor"
              />
            ),
          )}
        </svg>
      )}
      <span class="sr-only">{text}</span>
    </span>
  )
}
