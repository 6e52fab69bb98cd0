import type { FC } from 'hono/jsx'
import { CitusSection, type CitusSectionProps } from './citus-section.js'
import { HealthPanel, HealthStatus, type HealthPanelProps } from './health-panel.js'

export type SystemPageProps = HealthPanelProps & {
  status: string
  grafanaUrl: string | undefined
  /** The operator may edit the thresholds (saas.settings.edit). */
  canEditThresholds: boolean
}

/**
 * /system: the status line (a polite live region), links, the polled panel, and the Citus
 * section (read on page load only: sizing the nodes asks every worker).
 */
export const SystemPage: FC<SystemPageProps & { citus?: CitusSectionProps }> = (p) => (
  <>
    <div class="mb-4 flex flex-wrap items-center gap-4">
      <h1 class="m-0 text-2xl font-semibold">System health</h1>
      <HealthStatus text={p.status} warnings={p.model.warnings} critical={p.model.critical} />
      {p.grafanaUrl && (
        <a href={p.grafanaUrl} class="text-sm text-violet-700 underline" rel="noopener noreferrer">
          Open in Grafana
        </a>
      )}
      {p.canEditThresholds && (
        <a href="/settings/thresholds" class="text-sm text-violet-700 underline">
          Edit thresholds
        </a>
      )}
    </div>
    <HealthPanel {...p} />
    {p.citus && <CitusSection {...p.citus} />}
  </>
)

/** What the poll swaps in: the panel, and the status line's new text out of band. */
export const SystemFragment: FC<SystemPageProps> = (p) => (
  <>
    <HealthPanel {...p} />
    <HealthStatus text={p.status} warnings={p.model.warnings} critical={p.model.critical} oob />
  </>
)
