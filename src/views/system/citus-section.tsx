import type { FC } from 'hono/jsx'
import type { CitusInfo, CitusNode } from '../../fleet/citus.js'
import { formatBytes } from '../format.js'

// /system's Citus section (issue 13 item 1): what the coordinator said at start, the nodes with
// the tenant bytes each holds now, and the tenant schemas Citus does not manage (left local on
// the coordinator), which fleet health flags and repairs.

export type CitusSectionProps = {
  /** Detected at start (DatabaseHandle.citus); null on a plain server or the embedded database. */
  citus: CitusInfo | null
  embedded: boolean
  /** Nodes that may hold shards, largest first (listCitusNodes); [] off Citus. */
  nodes: CitusNode[]
  /** Tenant schemas left local on the coordinator (listLocalTenantSchemas). */
  localTenantSchemas: number
}

/** Citus on /system: one line off Citus, else version, sharding, nodes and local schemas. */
export const CitusSection: FC<CitusSectionProps> = (p) => (
  <section
    id="citus"
    aria-labelledby="citus-title"
    class="mb-6 rounded border border-slate-200 bg-white p-5"
  >
    <h2 id="citus-title" class="m-0 mb-3 text-base font-semibold">
      Citus
    </h2>
    {p.citus ? (
      <CitusDetails {...p} citus={p.citus} />
    ) : (
      <p id="citus-off" class="m-0 text-sm">
        Not running on Citus ({p.embedded ? 'embedded database' : 'plain PostgreSQL'}).
      </p>
    )}
  </section>
)

const CitusDetails: FC<CitusSectionProps & { citus: CitusInfo }> = (p) => (
  <>
    <p id="citus-summary" class="m-0 mb-3 text-sm">
      Citus {p.citus.version}; schema-based sharding {p.citus.schemaBasedSharding ? 'on' : 'off'}
      {p.citus.schemaBasedSharding ? '.' : ' (Fleetdeck distributes each tenant schema itself).'}
    </p>
    <table class="mb-3 w-full border-collapse text-sm">
      <thead>
        <tr class="text-left text-xs uppercase text-slate-600">
          <th scope="col" class="pb-1 pr-3">
            Node
          </th>
          <th scope="col" class="pb-1 pr-3 text-right">
            Tenant data
          </th>
          <th scope="col" class="pb-1 text-right">
            Tenant schemas
          </th>
        </tr>
      </thead>
      <tbody>
        {p.nodes.map((n) => (
          <tr
            id={`citus-node-${n.host.replace(/[^a-z0-9]+/gi, '-')}-${n.port}`}
            class="border-t border-slate-100"
          >
            <th scope="row" class="py-1 pr-3 text-left font-mono font-normal">
              {n.node}
            </th>
            <td class="py-1 pr-3 text-right">{formatBytes(n.bytes)}</td>
            <td class="py-1 text-right">{n.schemas}</td>
          </tr>
        ))}
      </tbody>
    </table>
    <p id="citus-local" class="m-0 text-sm">
      {p.localTenantSchemas === 0
        ? 'Every tenant schema is distributed.'
        : `${p.localTenantSchemas} tenant schema${p.localTenantSchemas === 1 ? ' is' : 's are'} left local on the coordinator: `}
      {p.localTenantSchemas > 0 && (
        <a href="/fleet" class="text-violet-700 underline">
          repair them from fleet health
        </a>
      )}
    </p>
  </>
)
