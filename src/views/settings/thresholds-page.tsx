import type { FC } from 'hono/jsx'
import { THRESHOLDS, type ThresholdDef, type ThresholdSet } from '../../health/metrics.js'
import { Button } from '../components/button.js'
import { Section } from '../components/section.js'

export type ThresholdsPageProps = {
  /** The pairs in force (defaults with the stored overrides laid over them). */
  thresholds: ThresholdSet
  /** Field name (`<id>.warning`) → message, after a refused save. */
  errors?: Record<string, string>
  /** What was typed, after a refused save. */
  values?: Record<string, string>
}

const UNIT_WORDS: Record<ThresholdDef['unit'], string> = {
  percent: '%',
  ms: 'ms',
  seconds: 's',
  bytes: 'bytes',
  count: 'count',
  per_second: 'per second',
}

const NumberCell: FC<{
  def: ThresholdDef
  which: 'warning' | 'critical'
  value: string
  error?: string
}> = (p) => {
  const name = `${p.def.id}.${p.which}`
  const id = `field-${p.def.id}-${p.which}`
  return (
    <td class="py-2 pr-3 align-top">
      <label for={id} class="sr-only">
        {`${p.def.label}: ${p.which} (${UNIT_WORDS[p.def.unit]})`}
      </label>
      <input
        id={id}
        name={name}
        type="text"
        inputmode="decimal"
        value={p.value}
        required
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={p.error ? `${id}-error` : undefined}
        class={`w-24 rounded border px-2 py-1 text-sm ${p.error ? 'border-red-500' : 'border-slate-300'}`}
      />
      {p.error && (
        <p id={`${id}-error`} class="m-0 mt-1 text-sm text-red-700">
          {p.error}
        </p>
      )}
    </td>
  )
}

/** /settings/thresholds: warning and critical of every health threshold, and reset. */
export const ThresholdsPage: FC<ThresholdsPageProps> = (p) => {
  const value = (def: ThresholdDef, which: 'warning' | 'critical') =>
    p.values?.[`${def.id}.${which}`] ?? String(p.thresholds[def.id][which])
  return (
    <>
      <h1 class="m-0 mb-4 text-2xl font-semibold">Health thresholds</h1>
      <Section id="thresholds" title="When a metric turns warning or critical">
        <p class="m-0 mb-3 text-sm text-slate-600">
          For “higher is worse” metrics a value above the warning is a warning and above the
          critical value is critical; for “lower is worse” the same downwards. A value equal to a
          threshold is on its healthy side.{' '}
          <a href="/system" class="text-violet-700 underline">
            System health
          </a>{' '}
          uses these at once.
        </p>
        <form method="post" action="/settings/thresholds">
          <table class="mb-4 w-full border-collapse">
            <thead>
              <tr class="text-left text-xs uppercase text-slate-600">
                <th scope="col" class="pb-1 pr-3">
                  Metric
                </th>
                <th scope="col" class="pb-1 pr-3">
                  Warning
                </th>
                <th scope="col" class="pb-1 pr-3">
                  Critical
                </th>
                <th scope="col" class="pb-1">
                  Default
                </th>
              </tr>
            </thead>
            <tbody>
              {THRESHOLDS.map((def) => (
                <tr id={`threshold-${def.id}`} class="border-t border-slate-100">
                  <th scope="row" class="py-2 pr-3 text-left align-top text-sm font-medium">
                    {def.label} ({UNIT_WORDS[def.unit]})
                    <span class="block text-xs font-normal text-slate-600">
                      {def.direction === 'higher-is-worse' ? 'Higher is worse' : 'Lower is worse'}
                    </span>
                  </th>
                  <NumberCell
                    def={def}
                    which="warning"
                    value={value(def, 'warning')}
                    error={p.errors?.[`${def.id}.warning`]}
                  />
                  <NumberCell
                    def={def}
                    which="critical"
                    value={value(def, 'critical')}
                    error={p.errors?.[`${def.id}.critical`]}
                  />
                  <td class="py-2 align-top text-sm text-slate-600">
                    {def.defaults.warning} / {def.defaults.critical}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Button>Save thresholds</Button>
        </form>
      </Section>
      <form method="post" action="/settings/thresholds">
        <input type="hidden" name="_method" value="DELETE" />
        <Button kind="plain">Reset all to defaults</Button>
      </form>
    </>
  )
}
