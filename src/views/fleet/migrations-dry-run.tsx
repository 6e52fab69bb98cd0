import type { FC } from 'hono/jsx'
import type { DryRun } from '../../fleet/migration-dry-run.js'
import { BackLink, Section } from '../components/section.js'
import { SkippedTenants } from './migrations-pending.js'

const SHOWN_TENANTS = 200

/** The dry-run: the SQL of each pending migration, and the tenants that would run what. */
export const DryRunPage: FC<{ dry: DryRun }> = ({ dry }) => (
  <>
    <BackLink href="/fleet/migrations">Fleet migrations</BackLink>
    <h1 class="m-0 mb-2 text-2xl font-semibold">Dry-run</h1>
    <p role="status" class="m-0 mb-4 text-sm text-slate-600">
      Nothing was changed. {dry.report.tenants.length} tenants would be migrated;{' '}
      {dry.report.skipped.length} skipped. The schema is shown as "tenant_&lt;slug&gt;".
    </p>
    {dry.migrations.length === 0 && <p class="text-sm">No tenant has a pending migration.</p>}
    {dry.migrations.map((m) => (
      <Section id={`sql-${m.name}`} title={`${m.name} — ${m.tenants} tenants`}>
        {m.note && <p class="m-0 mb-2 text-sm text-amber-800">{m.note}</p>}
        <pre class="m-0 overflow-x-auto whitespace-pre-wrap rounded bg-slate-50 p-3 text-xs">
          {m.statements.map((s) => `${s};`).join('\n')}
        </pre>
      </Section>
    ))}
    <Section id="dry-tenants" title="Tenants and their pending migrations">
      <ul class="m-0 pl-5 text-sm" id="dry-run-tenants">
        {dry.report.tenants.slice(0, SHOWN_TENANTS).map((t) => (
          <li>
            {t.slug} ({t.status}): {t.pending.join(', ')}
          </li>
        ))}
      </ul>
      {dry.report.tenants.length > SHOWN_TENANTS && (
        <p class="m-0 mt-2 text-sm text-slate-600">
          and {dry.report.tenants.length - SHOWN_TENANTS} more (the CLI's dry-run lists them all).
        </p>
      )}
    </Section>
    <Section id="skipped" title="Skipped tenants">
      <SkippedTenants report={dry.report} />
    </Section>
  </>
)
