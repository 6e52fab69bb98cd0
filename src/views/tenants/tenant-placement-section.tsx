import type { FC } from 'hono/jsx'
import type { TenantPlacement } from '../../db/storage-snapshots.js'
import type { Tenant } from '../../db/tenants.js'
import { Section } from '../components/section.js'
import { formatAge } from '../format.js'

/** The tenant page's Placement section (on Citus only): the node as last measured. */
export const TenantPlacementSection: FC<{
  tenant: Tenant
  placement: TenantPlacement | undefined
  canMove: boolean
  now: Date
}> = ({ tenant, placement, canMove, now }) => (
  <Section id="placement" title="Placement">
    <p class="m-0 text-sm">
      {!placement
        ? 'Node: not measured yet.'
        : placement.node
          ? `Node: ${placement.node}, measured ${formatAge(placement.takenAt, now)}.`
          : 'Local on the Citus coordinator, not distributed: fleet health offers to distribute it.'}
    </p>
    {canMove && tenant.status !== 'deleted' && (
      <p class="m-0 mt-2 text-sm">
        <a href={`/tenants/${tenant.id}/placement`} class="text-violet-700 underline">
          Move to another node
        </a>
      </p>
    )}
  </Section>
)
