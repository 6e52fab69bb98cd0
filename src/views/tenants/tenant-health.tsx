import type { FC } from 'hono/jsx'
import { roleCan } from '../../auth/permissions.js'
import type { CheckResult } from '../../db/fleet-check-results.js'
import type { SuperAdmin } from '../../db/super-admins.js'
import type { Tenant } from '../../db/tenants.js'
import { tenantSchemaName } from '../../db/tenant-schema.js'
import { Button } from '../components/button.js'
import { Section } from '../components/section.js'
import { HealthBadge } from '../fleet/health-badge.js'
import { SchemaFindings } from '../fleet/schema-findings.js'
import { formatDateTime } from '../format.js'

/**
 * The tenant page's schema health (issue 11 item 2): its latest stored result — health, when,
 * findings and pending migrations — the way to repair it, and "Check now" for fleet runners.
 */
export const TenantHealth: FC<{
  tenant: Tenant
  result: CheckResult | undefined
  operator: SuperAdmin
}> = ({ tenant, result, operator }) => {
  const schema = tenantSchemaName(tenant.slug)
  const unhealthy = result && result.health !== 'healthy'
  return (
    <Section id="schema-health" title="Schema health">
      <p class="m-0 text-sm">
        <HealthBadge health={result?.health ?? null} />{' '}
        {result
          ? `checked ${formatDateTime(result.checkedAt)}`
          : 'No health check has looked at this schema yet.'}
      </p>
      {unhealthy && (
        <div class="mt-2 text-sm">
          <SchemaFindings findings={result.findings} pending={result.pending} />
          <p class="m-0 mt-2">
            <a href={`/fleet/schemas/${schema}`} class="text-violet-700 underline">
              Repair…
            </a>
          </p>
        </div>
      )}
      {tenant.status !== 'deleted' && roleCan(operator.role, 'saas.fleet.run') && (
        <form method="post" action="/fleet/checks" class="mt-3">
          <input type="hidden" name="tenant_id" value={tenant.id} />
          <Button kind="plain">Check now</Button>
        </form>
      )}
    </Section>
  )
}
