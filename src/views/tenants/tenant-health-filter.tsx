import type { FC } from 'hono/jsx'
import { TENANT_HEALTHS, type TenantHealth } from '../../db/schema.js'
import { FilterSelect } from '../components/filter-field.js'

// The tenants list's health filter (issue 11 item 2): `?health=drift`. Orphans have no tenant
// row, so they are not a choice here (they are listed on /fleet).

const CHOICES = [
  { value: '', label: 'Any health' },
  ...TENANT_HEALTHS.filter((h) => h !== 'orphan').map((h) => ({ value: h, label: h })),
]

export const HealthFilter: FC<{ health: TenantHealth | '' }> = ({ health }) => (
  <FilterSelect id="tenant-health" name="health" label="Health" value={health} options={CHOICES} />
)
