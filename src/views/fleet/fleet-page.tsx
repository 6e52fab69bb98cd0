import type { FC } from 'hono/jsx'
import type { CheckResult, FleetCheck } from '../../db/fleet-check-results.js'
import { HEALTH_ORDER, RESULTS_SHOWN } from '../../db/fleet-check-results.js'
import type { TenantHealth } from '../../db/schema.js'
import { Button } from '../components/button.js'
import { Section } from '../components/section.js'
import { formatDateTime } from '../format.js'
import { SchemaResults } from './schema-results.js'

export type FleetPageProps = {
  latest?: FleetCheck
  results: CheckResult[]
  /** The health filter; none lists every unhealthy schema. */
  health?: TenantHealth
  canRun: boolean
  /** A health_check run still open: its job page. */
  openRunId?: string
}

const count = (n: number | undefined) => (n ?? 0).toLocaleString('en-US')

/** "Run a check now": for holders of saas.fleet.run only. */
const RunCheck: FC<{ canRun: boolean; label?: string }> = (p) =>
  p.canRun ? (
    <form method="post" action="/fleet/checks" class="mt-3">
      <Button accesskey="c">{p.label ?? 'Run a check now'}</Button>
    </form>
  ) : null

/** The latest whole-fleet check: when, how long, counts per health (issue 11 item 2). */
const LatestCheck: FC<{ latest?: FleetCheck; canRun: boolean }> = ({ latest, canRun }) => (
  <Section id="latest-check" title="Latest check">
    {!latest ? (
      <p class="m-0 text-sm">
        No check has run yet.{' '}
        {canRun ? 'Run one to see the health of every tenant schema.' : 'An operator can run one.'}
      </p>
    ) : (
      <>
        <dl class="m-0 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
          <dt class="font-medium">Finished</dt>
          <dd class="m-0">{formatDateTime(latest.finishedAt)}</dd>
          <dt class="font-medium">Took</dt>
          <dd class="m-0">{(latest.durationMs / 1000).toFixed(1)} s</dd>
          <dt class="font-medium">Schemas checked</dt>
          <dd class="m-0">{count(latest.summary.schemas)}</dd>
        </dl>
        <ul id="health-counts" class="m-0 mt-3 flex flex-wrap gap-4 list-none p-0 text-sm">
          {['healthy', ...HEALTH_ORDER.filter((h) => h !== 'healthy')].map((h) => (
            <li id={`count-${h}`}>
              <strong>{count(latest.summary[h as TenantHealth])}</strong> {h}
            </li>
          ))}
        </ul>
      </>
    )}
    <RunCheck canRun={canRun} />
  </Section>
)

const HealthFilter: FC<{ health?: TenantHealth }> = ({ health }) => (
  <form method="get" action="/fleet" class="mb-3 flex items-end gap-2">
    <div>
      <label for="fleet-health" class="block text-sm font-medium text-slate-700 mb-1">
        Health
      </label>
      <select
        id="fleet-health"
        name="health"
        class="rounded border border-slate-300 px-2 py-1.5 text-sm"
      >
        <option value="" selected={!health}>
          Every unhealthy schema
        </option>
        {HEALTH_ORDER.map((h) => (
          <option value={h} selected={health === h}>
            {h}
          </option>
        ))}
      </select>
    </div>
    <Button kind="plain">Filter</Button>
  </form>
)

/** /fleet: the latest check and every unhealthy schema, failures first. */
export const FleetPage: FC<FleetPageProps> = (p) => (
  <>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Fleet health</h1>
    {p.openRunId && (
      <p class="m-0 mb-4 text-sm" id="open-check">
        A check is running:{' '}
        <a href={`/jobs/${p.openRunId}`} class="text-violet-700 underline">
          follow it
        </a>
        .
      </p>
    )}
    <LatestCheck latest={p.latest} canRun={p.canRun} />
    {p.latest && (
      <Section id="schemas" title={p.health ? `Schemas: ${p.health}` : 'Unhealthy schemas'}>
        <HealthFilter health={p.health} />
        <SchemaResults results={p.results} health={p.health} />
        {p.results.length >= RESULTS_SHOWN && (
          <p class="m-0 mt-2 text-sm text-slate-600">
            The first {RESULTS_SHOWN} are shown: filter by health, or run{' '}
            <code>npm run fleet -- check</code>
            for all of them.
          </p>
        )}
      </Section>
    )}
  </>
)
