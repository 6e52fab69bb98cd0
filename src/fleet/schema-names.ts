import { tenantSchemaName } from '../db/tenant-schema.js'

/**
 * A tenant schema name as the fleet pages and the repair verbs accept it from outside (issue 11
 * item 3): `tenant_` then a lowercase letter and 1–38 of `[a-z0-9_]`, the image of a slug
 * (`^[a-z][a-z0-9-]{1,38}$`, DESIGN.md §3) under tenantSchemaName. Anything else is refused
 * before it reaches SQL, where it is still quoted as an identifier.
 */
export const TENANT_SCHEMA_PATTERN = /^tenant_[a-z][a-z0-9_]{1,38}$/

export function isTenantSchemaName(value: string): boolean {
  return TENANT_SCHEMA_PATTERN.test(value)
}

const SLUG_PATTERN = /^[a-z][a-z0-9-]{1,38}$/

/**
 * The slug whose schema this is (`tenant_a_b` → `a-b`; slugs have no `_`, so the mapping is one
 * to one), or undefined when the name is not a tenant schema name.
 */
export function slugOfSchema(schema: string): string | undefined {
  if (!isTenantSchemaName(schema)) return undefined
  const slug = schema.slice('tenant_'.length).replace(/_/g, '-')
  return SLUG_PATTERN.test(slug) && tenantSchemaName(slug) === schema ? slug : undefined
}
