import type { FC } from 'hono/jsx'
import type { JobRun } from '../../db/job-runs.js'
import { tenantSchemaName } from '../../db/tenant-schema.js'
import type { Tenant } from '../../db/tenants.js'
import type { CitusNode } from '../../fleet/citus.js'
import { BackLink, Section } from '../components/section.js'
import { Button } from '../components/button.js'
import { formatBytes } from '../format.js'

// /tenants/:id/placement (issue 13 item 5): where a tenant's schema lives on Citus, the nodes
// with their sizes, and the move form. The tenant page's section: ./tenant-placement-section.tsx.

const link = 'text-violet-700 underline'

export type TenantPlacementPageProps = {
  tenant: Tenant
  /** describeCitus() of the handle; null off Citus. */
  citus: string | null
  /** The node holding the schema now (citus_shards); null when it is not distributed. */
  current: string | null
  nodes: CitusNode[]
  /** A move of this tenant still running or paused. */
  openMove?: JobRun
  value?: string
  error?: string
}

/** /tenants/:id/placement: nodes and their sizes to rebalance by, and the move form. */
export const TenantPlacementPage: FC<TenantPlacementPageProps> = (p) => (
  <div id="tenant-placement">
    <BackLink href={`/tenants/${p.tenant.id}`}>{p.tenant.name}</BackLink>
    <h1 class="m-0 mb-4 text-xl font-semibold">Placement of {p.tenant.slug}</h1>
    {p.error && !hasMoveForm(p) && (
      <p role="alert" class="m-0 mb-4 text-sm text-red-700">
        {p.error}
      </p>
    )}
    {p.citus ? (
      <CitusPlacement {...p} />
    ) : (
      <p class="m-0 text-sm">
        Single server (no Citus): every tenant schema lives on the one PostgreSQL server, so there
        is no other node to move a tenant to. Moving tenants needs a Citus coordinator with worker
        nodes (README, “Scaling out with Citus”).
      </p>
    )}
  </div>
)

/** The form shows on Citus for a distributed schema with another node and no move under way. */
function hasMoveForm(p: TenantPlacementPageProps): boolean {
  return !!p.citus && !!p.current && !p.openMove && p.nodes.some((n) => n.node !== p.current)
}

const CitusPlacement: FC<TenantPlacementPageProps> = (p) => (
  <>
    <p class="m-0 mb-4 text-sm">
      {p.citus}.{' '}
      {p.current ? (
        <>
          The schema <code>{tenantSchemaName(p.tenant.slug)}</code> is on{' '}
          <strong>{p.current}</strong>.
        </>
      ) : (
        <>
          The schema is local on the coordinator, not distributed:{' '}
          <a href={`/fleet/schemas/${tenantSchemaName(p.tenant.slug)}`} class={link}>
            distribute it
          </a>{' '}
          before moving it.
        </>
      )}
    </p>
    <NodeTable nodes={p.nodes} current={p.current} />
    {p.openMove ? (
      <p class="m-0 text-sm" role="status">
        A move is under way:{' '}
        <a href={`/jobs/${p.openMove.id}`} class={link}>
          {p.openMove.label}
        </a>
        .
      </p>
    ) : (
      hasMoveForm(p) && <MoveForm {...p} />
    )}
  </>
)

const NodeTable: FC<{ nodes: CitusNode[]; current: string | null }> = ({ nodes, current }) => (
  <Section id="placement-nodes" title="Nodes">
    <table class="w-full text-sm">
      <caption class="sr-only">Worker nodes with the tenant data they hold, largest first</caption>
      <thead>
        <tr class="text-left text-slate-600">
          <th scope="col">Node</th>
          <th scope="col">Tenant data</th>
          <th scope="col">Tenant schemas</th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((n) => (
          <tr>
            <td class="font-mono">
              {n.node}
              {n.node === current ? ' (this tenant)' : ''}
            </td>
            <td>{formatBytes(n.bytes)}</td>
            <td>{n.schemas}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </Section>
)

const MoveForm: FC<TenantPlacementPageProps> = (p) => {
  const others = p.nodes.filter((n) => n.node !== p.current)
  return (
    <Section id="placement-move" title="Move to another node">
      <form method="post" action={`/tenants/${p.tenant.id}/placement`} class="max-w-xl">
        <div class="mb-4">
          <label for="field-node" class="mb-1 block text-sm font-medium text-slate-700">
            Target node
          </label>
          <select
            id="field-node"
            name="node"
            aria-invalid={p.error ? 'true' : undefined}
            aria-describedby={p.error ? 'field-node-error' : undefined}
            class="w-full rounded border border-slate-300 px-3 py-2 text-sm"
          >
            {others.map((n) => (
              <option value={n.node} selected={n.node === p.value}>
                {n.node} — {formatBytes(n.bytes)}, {n.schemas} schemas
              </option>
            ))}
          </select>
          {p.error && (
            <p id="field-node-error" class="mt-1 text-sm text-red-700">
              {p.error}
            </p>
          )}
        </div>
        <p class="m-0 mb-3 text-sm text-slate-700">
          Runs as a job (citus_schema_move). With logical replication the tenant keeps writing
          during the copy; otherwise its tables refuse writes until the copy is done.
        </p>
        <Button>Move tenant</Button>
      </form>
    </Section>
  )
}
