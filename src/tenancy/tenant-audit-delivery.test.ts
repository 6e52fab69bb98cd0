import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { Db } from '../db/database.js'
import { deliverTenantAuditEntries, listTenantAuditEntries } from '../db/tenant-audit-log.js'
import { findTenantAuditOutbox, listDueTenantAuditOutbox } from '../db/tenant-audit-outbox.js'
import { dropTenantSchema, tenantSchemaName } from '../db/tenant-schema.js'
import type { Tenant } from '../db/tenants.js'
import { createTenant } from '../test-support/factories.js'
import { useTestDatabase } from '../test-support/test-app.js'
import {
  deliverTenantAudit,
  enqueueTenantAuditEntries,
  OUTBOX_SWEEP_AGE_MS,
  sweepTenantAuditOutbox,
  transactWithTenantAudit,
} from './tenant-audit-delivery.js'

// Issue 13 item 4: a tenant's own audit entries go through public.tenant_audit_outbox, so no
// transaction writes both public and a tenant schema, and the tenant's log still shows each
// entry exactly once.

const t = useTestDatabase()

/** Commits an outbox row without delivering it: what a crash right after the commit leaves. */
function enqueueOnly(db: Db, tenant: Tenant, action = 'note.added') {
  return db
    .transaction()
    .execute((trx) =>
      enqueueTenantAuditEntries(trx, tenant, [{ actor: 'platform', action, details: { n: 1 } }]),
    )
}

async function entriesOf(tenant: Tenant, action: string) {
  return (await listTenantAuditEntries(t.db, tenant.slug, 500)).filter((e) => e.action === action)
}

const later = () => new Date(Date.now() + OUTBOX_SWEEP_AGE_MS + 1000)

describe('tenant audit delivery', () => {
  it('delivers after the commit, before the verb returns, with the outbox id as deliveryId', async () => {
    const tenant = await createTenant(t.db)
    const id = await transactWithTenantAudit(t.db, (trx) =>
      enqueueTenantAuditEntries(trx, tenant, [
        { actor: 'platform', action: 'first.one' },
        { actor: 'platform', action: 'second.one', details: { k: 'v' } },
      ]),
    )

    const [first] = await entriesOf(tenant, 'first.one')
    const [second] = await entriesOf(tenant, 'second.one')
    expect(first.details).toEqual({ deliveryId: id })
    expect(second.details).toEqual({ k: 'v', deliveryId: id })
    expect(second.id).toBeGreaterThan(first.id)
    expect(await findTenantAuditOutbox(t.db, id)).toBeUndefined()
  })

  it('delivers exactly once after a crash between the tenant insert and the outbox delete', async () => {
    const tenant = await createTenant(t.db)
    const id = await enqueueOnly(t.db, tenant, 'crash.once')
    const row = (await findTenantAuditOutbox(t.db, id))!
    // The delivery's tenant transaction committed; the process died before the public delete.
    const firstIds = await t.db
      .transaction()
      .execute((trx) => deliverTenantAuditEntries(trx, tenant.slug, row))

    const [again] = await deliverTenantAudit(t.db, [id])

    expect(again).toEqual({ id, outcome: 'delivered', entryIds: firstIds })
    expect(await entriesOf(tenant, 'crash.once')).toHaveLength(1)
    expect(await findTenantAuditOutbox(t.db, id)).toBeUndefined()
    expect(await deliverTenantAudit(t.db, [id])).toEqual([{ id, outcome: 'gone' }])
  })

  it('delivers once when the verb and the sweep deliver the same row at the same time', async () => {
    const tenant = await createTenant(t.db)
    const id = await enqueueOnly(t.db, tenant, 'raced.once')

    await Promise.all([deliverTenantAudit(t.db, [id]), sweepTenantAuditOutbox(t.db, later())])

    expect(await entriesOf(tenant, 'raced.once')).toHaveLength(1)
    expect(await findTenantAuditOutbox(t.db, id)).toBeUndefined()
  })

  it('the sweep delivers a leftover once it is older than 30 s, and leaves younger rows to the verb', async () => {
    const tenant = await createTenant(t.db)
    const id = await enqueueOnly(t.db, tenant, 'left.over')

    await sweepTenantAuditOutbox(t.db, new Date())
    expect(await findTenantAuditOutbox(t.db, id)).toBeDefined()
    expect(await entriesOf(tenant, 'left.over')).toEqual([])

    const swept = await sweepTenantAuditOutbox(t.db, later())
    expect(swept.delivered).toBeGreaterThanOrEqual(1)
    expect(await entriesOf(tenant, 'left.over')).toHaveLength(1)
    expect(await findTenantAuditOutbox(t.db, id)).toBeUndefined()
  })

  it('keeps the row with last_error while the schema is missing, loses nothing else, and delivers once it is back', async () => {
    const hidden = await createTenant(t.db)
    const other = await createTenant(t.db)
    const stuck = await enqueueOnly(t.db, hidden, 'waits')
    const fine = await enqueueOnly(t.db, other, 'goes')
    await renameSchema(tenantSchemaName(hidden.slug), `hidden_${hidden.slug.replace(/-/g, '_')}`)
    try {
      const swept = await sweepTenantAuditOutbox(t.db, later())
      expect(swept.failed).toBe(1)
      expect(await findTenantAuditOutbox(t.db, stuck)).toMatchObject({
        attempts: 1,
        lastError: expect.stringContaining('does not exist'),
      })
      expect(await findTenantAuditOutbox(t.db, fine)).toBeUndefined()
      expect(await entriesOf(other, 'goes')).toHaveLength(1)
    } finally {
      await renameSchema(`hidden_${hidden.slug.replace(/-/g, '_')}`, tenantSchemaName(hidden.slug))
    }
    await sweepTenantAuditOutbox(t.db, later())
    expect(await entriesOf(hidden, 'waits')).toHaveLength(1)
    expect(await findTenantAuditOutbox(t.db, stuck)).toBeUndefined()
  })

  it('the sweep takes never-tried rows before rows that keep failing, so failures cannot starve it', async () => {
    const hidden = await createTenant(t.db)
    const other = await createTenant(t.db)
    const stuck = await enqueueOnly(t.db, hidden, 'keeps.failing')
    const fresh = await enqueueOnly(t.db, other, 'comes.later')
    await renameSchema(tenantSchemaName(hidden.slug), `hidden_${hidden.slug.replace(/-/g, '_')}`)
    try {
      await deliverTenantAudit(t.db, [stuck])
      expect(await findTenantAuditOutbox(t.db, stuck)).toMatchObject({ attempts: 1 })
      const due = await listDueTenantAuditOutbox(t.db, later(), 1)
      expect(due.map((r) => r.id)).toEqual([fresh])
    } finally {
      await renameSchema(`hidden_${hidden.slug.replace(/-/g, '_')}`, tenantSchemaName(hidden.slug))
    }
  })

  it('a delivery that cannot even read the outbox reports failed instead of throwing after the commit', async () => {
    const tenant = await createTenant(t.db)
    const id = await enqueueOnly(t.db, tenant, 'read.fails')
    const broken = {
      selectFrom: () => {
        throw new Error('connection lost')
      },
    } as unknown as Db
    expect(await deliverTenantAudit(broken, [id])).toEqual([
      { id, outcome: 'failed', error: 'connection lost' },
    ])
    expect(await findTenantAuditOutbox(t.db, id)).toBeDefined()
  })

  it('discards the rows of a deleted tenant whose schema was dropped', async () => {
    const tenant = await createTenant(t.db)
    const id = await enqueueOnly(t.db, tenant)
    await t.db
      .updateTable('tenants')
      .set({ status: 'deleted' })
      .where('id', '=', tenant.id)
      .execute()
    await dropTenantSchema(t.db, tenant.slug)

    expect(await deliverTenantAudit(t.db, [id])).toEqual([{ id, outcome: 'discarded' }])
    expect(await findTenantAuditOutbox(t.db, id)).toBeUndefined()
  })

  it('refuses to enqueue for a tenant without a log: the change rolls back', async () => {
    const tenant = await createTenant(t.db)
    await dropTenantSchema(t.db, tenant.slug)
    const before = await countOutbox()

    await expect(enqueueOnly(t.db, tenant)).rejects.toThrow(/does not exist/)
    expect(await countOutbox()).toBe(before)
  })
})

async function renameSchema(from: string, to: string) {
  await sql`alter schema ${sql.id(from)} rename to ${sql.id(to)}`.execute(t.db)
}

async function countOutbox() {
  const row = await t.db
    .selectFrom('tenant_audit_outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
