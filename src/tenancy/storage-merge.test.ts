import { describe, expect, it } from 'vitest'
import { mergeSchemaSizes } from './storage-merge.js'

describe('mergeSchemaSizes', () => {
  it('keeps the catalog bytes with no node when Citus measured nothing (plain server)', () => {
    const local = new Map([['tenant_a', 163_840]])
    expect(mergeSchemaSizes(local, new Map())).toEqual(
      new Map([['tenant_a', { bytes: 163_840, node: null }]]),
    )
  })

  it("takes the workers' bytes and node over the coordinator's placeholders", () => {
    const local = new Map([
      ['tenant_a', 90_112],
      ['tenant_local', 200_000],
    ])
    const citus = new Map([['tenant_a', { node: '10.0.0.2:5432', bytes: 33_800_000 }]])
    expect(mergeSchemaSizes(local, citus)).toEqual(
      new Map([
        ['tenant_a', { bytes: 33_800_000, node: '10.0.0.2:5432' }],
        ['tenant_local', { bytes: 200_000, node: null }],
      ]),
    )
  })

  it('keeps a schema only Citus measured', () => {
    const citus = new Map([['tenant_b', { node: 'w2:5432', bytes: 8192 }]])
    expect(mergeSchemaSizes(new Map(), citus).get('tenant_b')).toEqual({
      bytes: 8192,
      node: 'w2:5432',
    })
  })
})
