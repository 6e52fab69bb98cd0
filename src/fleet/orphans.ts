import { sql } from 'kysely'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { insertOnboardingSteps, markOnboardingStep } from '../db/onboarding.js'
import { lockOfferedPlan } from '../db/plan-writes.js'
import { countSchemaTables, measureSchemaSizes } from '../db/tenant-schema.js'
import { findTenantBySlug, insertTenant, type Tenant } from '../db/tenants.js'
import { refuse, type Refusal } from '../domain-result.js'
import { ONBOARDING_STEPS, runOnboarding, type OnboardingOutcome } from '../tenancy/onboarding.js'
import { lockSchema, withVia } from './repair-catalog.js'
import type { RepairOptions } from './repair.js'
import { isTenantSchemaName, slugOfSchema } from './schema-names.js'

// Orphan schemas — `tenant_*` with no tenant row — are adopted as a new tenant or dropped after
// the operator types their name (issue 11 item 3). Both hold the schema's advisory lock (the one
// migrateTenant takes) and decide on "no tenant row owns it" inside their transaction.

/** What the adoption form gives: the tenant row's fields that the schema name does not. */
export type Adoption = {
  name: string
  planId: string
  billingEmail: string
  firstAdminEmail: string
  firstAdminName: string
}

type AdoptRefusal = Refusal<'invalid_name' | 'schema_missing' | 'slug_taken' | 'plan_unavailable'>

/**
 * Makes an orphan schema a tenant: slug from the schema name (`tenant_a_b` → `a-b`), the row
 * inserted in `provisioning` with the pipeline's steps and "Create schema" recorded as done (the
 * schema is there), audited `fleet.repair.adopt` (before: tables and bytes) in that transaction;
 * then the pipeline runs the rest — pending migrations, roles, first admin, activate — each
 * idempotent and audited as onboarding is. A failing step leaves the tenant `failed` with Retry.
 * @returns the tenant and the pipeline's outcome, or a refusal
 */
export async function adoptOrphanSchema(
  db: Db,
  context: AuditContext,
  schema: string,
  form: Adoption,
  options: RepairOptions,
  now: Date = new Date(),
): Promise<{ ok: true; tenant: Tenant; onboarding: OnboardingOutcome } | AdoptRefusal> {
  const slug = slugOfSchema(schema)
  if (!slug) return refuse('invalid_name')
  const adopted = await db.transaction().execute(async (trx) => {
    await lockSchema(trx, schema)
    const tables = await countSchemaTables(trx, schema)
    if (tables === undefined) return refuse('schema_missing')
    if (!(await lockOfferedPlan(trx, form.planId))) return refuse('plan_unavailable')
    const tenant = await insertTenant(trx, {
      ...form,
      slug,
      id: crypto.randomUUID(),
      status: 'provisioning',
      createdAt: now,
    })
    if (!tenant) return refuse('slug_taken')
    await insertOnboardingSteps(trx, tenant.id, ONBOARDING_STEPS)
    const step = { status: 'done', error: null, startedAt: now, finishedAt: now } as const
    await markOnboardingStep(trx, tenant.id, 'create_schema', step)
    const bytes = (await measureSchemaSizes(trx, [schema])).get(schema) ?? 0
    await appendAuditEntry(trx, context, {
      action: 'fleet.repair.adopt',
      targetType: 'schema',
      targetId: schema,
      tenantId: tenant.id,
      before: { schema, orphan: true, tables, bytes },
      after: withVia(
        { tenantId: tenant.id, slug, name: form.name, plan: form.planId, ...contacts(form) },
        context,
      ),
    })
    return { ok: true as const, tenant }
  })
  if (!adopted.ok) return adopted
  const onboarding = await runOnboarding(db, context, adopted.tenant.id, {
    tenantMigrationDirs: options.migrationDirs,
  })
  return { ok: true, tenant: adopted.tenant, onboarding }
}

const contacts = (form: Adoption) => ({
  billingEmail: form.billingEmail,
  firstAdminEmail: form.firstAdminEmail,
})

/**
 * Drops an orphan schema with everything in it, once `typedName` is its exact name; refused
 * when a tenant row (of any status, deleted ones too: their schema waits for restore or purge)
 * owns it by now. Audited `fleet.repair.drop_orphan` (before: tables and bytes) in the DROP's
 * transaction. Irreversible once committed; the route asks for step-up first.
 */
export async function dropOrphanSchema(
  db: Db,
  context: AuditContext,
  schema: string,
  typedName: string,
): Promise<
  | { ok: true; tables: number; bytes: number }
  | Refusal<'invalid_name' | 'name_mismatch' | 'schema_missing' | 'owned'>
> {
  if (!isTenantSchemaName(schema)) return refuse('invalid_name')
  if (typedName.trim() !== schema) return refuse('name_mismatch')
  return db.transaction().execute(async (trx) => {
    await lockSchema(trx, schema)
    const tables = await countSchemaTables(trx, schema)
    if (tables === undefined) return refuse('schema_missing')
    const slug = slugOfSchema(schema)
    if (slug && (await findTenantBySlug(trx, slug))) return refuse('owned')
    const bytes = (await measureSchemaSizes(trx, [schema])).get(schema) ?? 0
    await sql`drop schema ${sql.id(schema)} cascade`.execute(trx)
    await appendAuditEntry(trx, context, {
      action: 'fleet.repair.drop_orphan',
      targetType: 'schema',
      targetId: schema,
      before: { schema, tables, bytes },
      after: withVia({ schema, dropped: true }, context),
    })
    return { ok: true as const, tables, bytes }
  })
}
