import { describe, expect, it } from 'vitest'
import { isTenantSchemaName, slugOfSchema } from './schema-names.js'

// The :schema parameter and the CLI target are checked before any SQL (issue 11 item 3).

describe('tenant schema names', () => {
  it('accepts what tenantSchemaName makes and maps it back to the slug', () => {
    expect(isTenantSchemaName('tenant_acme')).toBe(true)
    expect(slugOfSchema('tenant_acme_eu')).toBe('acme-eu')
  })

  it('refuses other schemas, quotes, capitals and names too long', () => {
    for (const name of [
      'public',
      'tenant_',
      'tenant_A',
      'tenant_1abc',
      'tenant_a"b',
      `tenant_a${'b'.repeat(39)}`,
    ])
      expect(isTenantSchemaName(name), name).toBe(false)
    expect(slugOfSchema('fleetdeck_reference_00')).toBeUndefined()
  })
})
