import type { FC } from 'hono/jsx'
import { hasLossFreeRepair } from '../../fleet/repair-all.js'
import type { SchemaState } from '../../fleet/schema-state.js'
import { Button } from '../components/button.js'
import { Section } from '../components/section.js'

/** One repair's form: POST …/repairs with its name. */
const RepairForm: FC<{ action: string; repair: string; label: string; note: string }> = (p) => (
  <form method="post" action={p.action} class="mb-3">
    <input type="hidden" name="repair" value={p.repair} />
    <Button kind="plain">{p.label}</Button>
    <span class="ml-2 text-sm text-slate-700">{p.note}</span>
  </form>
)

/** The repairs a tenant's schema offers now; each is audited and re-checks the schema after. */
export const RepairActions: FC<{ state: SchemaState; action: string }> = ({ state, action }) => {
  if (state.tenant?.status === 'deleted')
    return (
      <Section id="schema-repairs" title="Repairs">
        <p class="m-0 text-sm">The tenant is deleted: restore it before repairing its schema.</p>
      </Section>
    )
  const pending = state.pending.length
  return (
    <Section id="schema-repairs" title="Repairs">
      {hasLossFreeRepair(state) && (
        <RepairForm
          action={action}
          repair="all"
          label="Repair everything that is loss-free"
          note="Refuses, and says why, whatever would lose or rewrite data."
        />
      )}
      {!state.exists && (
        <RepairForm
          action={action}
          repair="recreate"
          label="Recreate schema"
          note="Create schema, tenant migrations and roles, as onboarding does; members stay."
        />
      )}
      {state.exists && pending > 0 && (
        <RepairForm
          action={action}
          repair="migrate"
          label={`Apply ${pending} pending migrations`}
          note="One transaction; a failure leaves the schema as it was."
        />
      )}
      {state.exists && state.findings.some((f) => f.kind === 'schema_not_distributed') && (
        <RepairForm
          action={action}
          repair="distribute"
          label="Distribute schema"
          note="citus_schema_distribute: Citus moves the schema's tables to a worker node."
        />
      )}
      {state.exists && (
        <RepairForm
          action={action}
          repair="roles"
          label="Re-seed roles"
          note="Adds missing roles and permissions; existing ones stay as they are."
        />
      )}
    </Section>
  )
}
