import type { CitusNode, SchemaPlacement } from '../fleet/citus.js'
import type { MoveCitus } from '../fleet/tenant-move.js'

// A Citus cluster in memory for tests of tenant moves without Citus (CI has none): two worker
// nodes, schemas placed by the test, and a move that only changes the placement and counts.

export const NODE_A = '10.0.0.1:5432'
export const NODE_B = '10.0.0.2:5432'

export type FakeCitus = MoveCitus & {
  placements: Map<string, SchemaPlacement>
  /** Schemas moved, in order, with the transfer mode each move used. */
  moves: { schema: string; to: string; mode: string }[]
}

/** A fake cluster of NODE_A and NODE_B; `place` puts a schema on a node before the test acts. */
export function fakeCitus(): FakeCitus & { place(schema: string, node: string): void } {
  const placements = new Map<string, SchemaPlacement>()
  const moves: FakeCitus['moves'] = []
  const node = (name: string): CitusNode => {
    const held = [...placements.values()].filter((p) => p.node === name)
    const bytes = held.reduce((sum, p) => sum + p.bytes, 0)
    const [host, port] = name.split(':')
    return { node: name, host, port: Number(port), bytes, schemas: held.length }
  }
  return {
    placements,
    moves,
    place: (schema, at) => void placements.set(schema, { node: at, bytes: 90_112 }),
    citusVersion: async () => '13.2-1',
    measureCitusSchemas: async (_db, schemas) =>
      new Map([...placements].filter(([s]) => !schemas || schemas.includes(s))),
    listCitusNodes: async () => [node(NODE_A), node(NODE_B)],
    readShardTransferFacts: async () => ({ walLevel: 'logical', tablesWithoutReplicaIdentity: [] }),
    moveTenantSchema: async (_db, schema, target, mode) => {
      const to = `${target.host}:${target.port}`
      moves.push({ schema, to, mode })
      placements.set(schema, { ...placements.get(schema)!, node: to })
    },
  }
}
