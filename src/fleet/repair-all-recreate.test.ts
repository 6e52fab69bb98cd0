import { sql } from 'kysely'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { createTenant } from '../test-support/factories.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { repairLossFree } from './repair-all.js'
import type { SchemaState } from './schema-state.js'

// "Repair everything" on a missing schema (issue 13 item 3): after the recreate the distribute
// step runs too, so the schema does not stay local on a Citus coordinator until a second pass.
// The test databases have no Citus: the distribute verb is replaced through the module seam.

const answer = vi.hoisted(() => ({
  calls: [] as string[],
  result: { ok: true, distributed: true } as {
    ok: boolean
    distributed?: boolean
    reason?: string
  },
}))

vi.mock('./repair-distribute.js', () => ({
  distributeSchema: async (_db: unknown, _context: unknown, tenantId: string) => {
    answer.calls.push(tenantId)
    return answer.result
  },
}))

const t = useTestDatabase()
const context = { actor: null, requestId: 'test' }

async function missingSchema(): Promise<SchemaState> {
  const tenant = await createTenant(t.db)
  const schema = tenantSchemaName(tenant.slug)
  await sql`drop schema ${sql.id(schema)} cascade`.execute(t.db)
  const state = { schema, exists: false, pending: [], rolesIncomplete: false, findings: [], tenant }
  return state as unknown as SchemaState
}

beforeEach(() => void (answer.calls = []))

describe('repairLossFree on a missing schema', () => {
  it('recreates it, then distributes it in the same pass', async () => {
    answer.result = { ok: true, distributed: true }
    const state = await missingSchema()

    const outcomes = await repairLossFree(t.db, context, state, { migrationDirs: [] })

    expect(answer.calls).toEqual([state.tenant!.id])
    expect(outcomes.map((o) => o.done)).toEqual([true, true])
    expect(outcomes[1]!.message).toBe('distributed with citus_schema_distribute')
  })

  it('reports only the recreate off Citus', async () => {
    answer.result = { ok: false, reason: 'no_citus' }
    const state = await missingSchema()

    const outcomes = await repairLossFree(t.db, context, state, { migrationDirs: [] })

    expect(answer.calls).toEqual([state.tenant!.id])
    expect(outcomes).toHaveLength(1)
    expect(outcomes[0]).toMatchObject({ finding: 'the schema is missing', done: true })
  })
})
