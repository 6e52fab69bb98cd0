import type { FC } from 'hono/jsx'
import type { CheckResult } from '../../db/fleet-check-results.js'
import type { TenantHealth } from '../../db/schema.js'
import { StatusBadge } from '../tenants/tenant-status.js'
import { HealthBadge } from './health-badge.js'
import { SchemaFindings } from './schema-findings.js'

/** The schemas of one check: tenant, status, health, what is wrong, and the way to repair it. */
export const SchemaResults: FC<{ results: CheckResult[]; health?: TenantHealth }> = (p) => (
  <div class="overflow-x-auto">
    <table class="w-full text-sm" id="schema-results">
      <caption class="sr-only">Schemas of the latest check, failures first</caption>
      <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
        <tr>
          <th scope="col" class="px-3 py-2">
            Schema
          </th>
          <th scope="col" class="px-3 py-2">
            Tenant
          </th>
          <th scope="col" class="px-3 py-2">
            Health
          </th>
          <th scope="col" class="px-3 py-2">
            What is wrong
          </th>
          <th scope="col" class="px-3 py-2">
            <span class="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {p.results.length === 0 && (
          <tr>
            <td colspan={5} class="px-3 py-6 text-center text-slate-600">
              {p.health ? `No schema is ${p.health}.` : 'Every schema is healthy.'}
            </td>
          </tr>
        )}
        {p.results.map((r) => (
          <tr id={`schema-${r.schema}`}>
            <td class="cell font-mono text-xs">{r.schema}</td>
            <td class="cell">
              {r.tenantId && r.slug ? (
                <>
                  <a href={`/tenants/${r.tenantId}`} class="text-violet-700 underline">
                    {r.slug}
                  </a>{' '}
                  {r.tenantStatus && <StatusBadge status={r.tenantStatus} />}
                </>
              ) : (
                'no tenant'
              )}
            </td>
            <td class="cell">
              <HealthBadge health={r.health} />
            </td>
            <td class="cell">
              <SchemaFindings findings={r.findings} pending={r.pending} />
            </td>
            <td class="cell-nowrap">
              {r.health !== 'healthy' && (
                <a href={`/fleet/schemas/${r.schema}`} class="text-violet-700 underline">
                  Repair…
                </a>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
)
