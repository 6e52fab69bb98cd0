import type { FC } from 'hono/jsx'
import type { PendingReport } from '../../fleet/fleet-migrations.js'

/** Each tenant migration with how many tenants lack it. */
export const PendingMigrations: FC<{ report: PendingReport }> = (p) => {
  const pending = p.report.migrations.filter((m) => m.tenants > 0)
  return (
    <>
      <p class="m-0 mb-3 text-sm text-slate-600">
        {p.report.tenants.length} tenants behind, {p.report.upToDate} up to date (read in{' '}
        {Math.round(p.report.tookMs)} ms).
      </p>
      {pending.length === 0 ? (
        <p class="m-0 text-sm">Every tenant has every migration.</p>
      ) : (
        <table class="w-full text-sm" id="pending-migrations">
          <caption class="sr-only">Pending migrations and the tenants that lack them</caption>
          <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-700">
            <tr>
              <th scope="col" class="px-3 py-2">
                Migration
              </th>
              <th scope="col" class="px-3 py-2 text-right">
                Tenants without it
              </th>
            </tr>
          </thead>
          <tbody>
            {pending.map((m) => (
              <tr id={`migration-${m.name}`}>
                <td class="cell font-mono">{m.name}</td>
                <td class="cell-num">{m.tenants}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}

/** Tenants a run leaves alone (failed, provisioning, schema missing), with why. */
export const SkippedTenants: FC<{ report: PendingReport }> = (p) =>
  p.report.skipped.length === 0 ? (
    <p class="m-0 text-sm">No tenant is skipped.</p>
  ) : (
    <ul class="m-0 pl-5 text-sm" id="skipped-tenants">
      {p.report.skipped.map((t) => (
        <li>
          <a href={`/tenants/${t.id}`} class="text-violet-700 underline">
            {t.slug}
          </a>{' '}
          ({t.status}): {t.reason}
        </li>
      ))}
    </ul>
  )
