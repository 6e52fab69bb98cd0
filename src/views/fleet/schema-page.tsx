import type { FC } from 'hono/jsx'
import type { Plan } from '../../db/plans.js'
import { describeFinding, type SchemaFinding } from '../../fleet/findings.js'
import { whyNoRepair } from '../../fleet/repair-plans.js'
import { isRepairable } from '../../fleet/repair-schema.js'
import type { SchemaState } from '../../fleet/schema-state.js'
import { BackLink, Section } from '../components/section.js'
import { Button } from '../components/button.js'
import { formatDateTime } from '../format.js'
import { RepairActions } from './repair-actions.js'
import { SchemaAdoption, SchemaDrop, type AdoptionErrors } from './schema-orphan.js'

/** A finding's key in forms: kind, table and object name (the route finds it again by this). */
export function findingKey(f: SchemaFinding): string {
  const name =
    'column' in f ? f.column : 'index' in f ? f.index : 'constraint' in f ? f.constraint : ''
  return [f.kind, 'table' in f ? f.table : '', name].join(':')
}

export type SchemaPageProps = {
  state: SchemaState
  plans: Plan[]
  canRun: boolean
  canDrop: boolean
  adoptValues?: Record<string, string>
  adoptErrors?: AdoptionErrors
  dropError?: string
  repairError?: string
}

/** /fleet/schemas/:schema — one schema's health, its findings and the repairs for each. */
export const SchemaPage: FC<SchemaPageProps> = (p) => {
  const { state } = p
  const action = `/fleet/schemas/${state.schema}/repairs`
  return (
    <div id="schema-page">
      <BackLink href="/fleet">Fleet health</BackLink>
      <h1 class="m-0 mb-1 text-xl font-semibold">
        Schema <code>{state.schema}</code>
      </h1>
      <p class="m-0 mb-4 text-sm text-slate-700">
        {state.tenant ? (
          <>
            Tenant{' '}
            <a href={`/tenants/${state.tenant.id}`} class="text-violet-700 underline">
              {state.tenant.slug}
            </a>{' '}
            ({state.tenant.status}).{' '}
          </>
        ) : (
          'Orphan: no tenant owns this schema. '
        )}
        {state.exists ? '' : 'The schema does not exist. '}
        {state.checkedAt
          ? `Latest check: ${state.health} at ${formatDateTime(state.checkedAt)}.`
          : 'Not checked yet.'}
      </p>
      {p.repairError && (
        <p role="alert" class="m-0 mb-4 text-sm text-red-700">
          {p.repairError}
        </p>
      )}
      <Section id="schema-findings" title="What the check found">
        {state.findings.length === 0 && state.pending.length === 0 && state.exists ? (
          <p class="m-0 text-sm">
            {state.checkedAt
              ? 'No drift and no pending migrations.'
              : 'No pending migrations. Drift is known once a health check has run.'}
          </p>
        ) : (
          <ul class="m-0 pl-5 text-sm">
            {!state.exists && <li>The schema is missing.</li>}
            {state.pending.length > 0 && (
              <li>
                {state.pending.length} tenant migrations are pending: {state.pending.join(', ')}
              </li>
            )}
            {state.findings.map((f) => (
              <FindingItem finding={f} action={action} canRun={p.canRun && !!state.tenant} />
            ))}
          </ul>
        )}
      </Section>
      {state.tenant && p.canRun && <RepairActions state={state} action={action} />}
      {!state.tenant && state.exists && p.canRun && (
        <SchemaAdoption
          schema={state.schema}
          plans={p.plans}
          values={p.adoptValues}
          errors={p.adoptErrors}
        />
      )}
      {!state.tenant && state.exists && p.canDrop && (
        <SchemaDrop schema={state.schema} error={p.dropError} />
      )}
    </div>
  )
}

const FindingItem: FC<{ finding: SchemaFinding; action: string; canRun: boolean }> = (p) => {
  const text = describeFinding(p.finding)
  if (!isRepairable(p.finding))
    return (
      <li class="mb-2">
        {text} — {p.finding.kind === 'schema_not_distributed' ? '' : 'no repair: '}
        {whyNoRepair(p.finding)}
      </li>
    )
  return (
    <li class="mb-2">
      {text}
      {p.canRun && (
        <form method="post" action={p.action} class="inline ml-2">
          <input type="hidden" name="repair" value="finding" />
          <input type="hidden" name="finding" value={findingKey(p.finding)} />
          <Button kind="plain">Re-add: {text.replace(/ is missing$/, '')}</Button>
        </form>
      )}
    </li>
  )
}
