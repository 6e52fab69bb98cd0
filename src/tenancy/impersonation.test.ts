import { decodeJwt, decodeProtectedHeader } from 'jose'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { createAppKey, createUser } from '../test-support/factories.js'
import { auditEntries } from '../test-support/database-state.js'
import {
  impersonationCounts,
  impersonationScene,
  startSceneImpersonation,
  tenantEntries,
  tokenOf,
  type ImpersonationScene,
} from '../test-support/impersonation.js'
import { useTestApp } from '../test-support/test-app.js'
import { startImpersonation, type StartImpersonationInput } from './impersonation.js'
import { endImpersonation, expireImpersonations } from './impersonation-end.js'
import { deleteTestTenant } from '../test-support/deletion.js'
import { changeOperatorRole, deactivateOperator } from '../operators/lifecycle.js'

// Seeds 001, 002, 004 and issue 8 item 2: who may be impersonated, one at a time, and every step
// in both audit logs in the same transaction.

const t = useTestApp()
const now = () => new Date(t.clock.now())

function input(s: ImpersonationScene, o: Partial<StartImpersonationInput> = {}) {
  return {
    operator: s.operator.admin,
    tenantId: s.tenant.id,
    userId: s.user.id,
    reason: 'Customer reported a broken board',
    ticket: 'SUP-1',
    durationMinutes: 30 as const,
    mode: 'read_only' as const,
    appKeyId: s.appKey.id,
    ...o,
  }
}

function start(s: ImpersonationScene, o: Partial<StartImpersonationInput> = {}) {
  return startImpersonation(t.db, { actor: s.operator.admin }, t.config, input(s, o), now())
}

async function expectRefused(s: ImpersonationScene, reason: string, o = {}) {
  const before = await impersonationCounts(t.db, s.tenant.slug)
  const result = await start(s, o)
  expect(result).toEqual({ ok: false, reason })
  expect(await impersonationCounts(t.db, s.tenant.slug)).toEqual(before)
}

describe('startImpersonation', () => {
  it('writes the row, the public entry with both identities and the tenant entry, and signs a handoff', async () => {
    const s = await impersonationScene(t.db, t.config)

    const result = await start(s)

    expect(result.ok).toBe(true)
    if (!result.ok) return
    const imp = result.impersonation
    expect(imp).toMatchObject({ mode: 'read_only', ticket: 'SUP-1', endedAt: null })
    expect(imp.expiresAt.getTime() - imp.startedAt.getTime()).toBe(30 * 60_000)
    const [entry] = (await auditEntries(t.db, 'impersonation.start')).filter(
      (e) => e.target_id === imp.id,
    )
    expect(entry).toMatchObject({
      actor_id: s.operator.admin.id,
      actor_email: s.operator.admin.email,
      impersonated_user_id: s.user.id,
      impersonated_tenant_id: s.tenant.id,
      tenant_id: s.tenant.id,
    })
    expect(entry.after).toMatchObject({ reason: imp.reason, ticket: 'SUP-1', mode: 'read_only' })
    const [tenantEntry] = await tenantEntries(t.db, s.tenant.slug, 'support.impersonation_started')
    expect(tenantEntry.actor).toBe(s.operator.admin.email)
    expect(tenantEntry.details).toMatchObject({
      impersonatedUser: s.user.email,
      impersonationId: imp.id,
      reason: imp.reason,
      message: 'Fleetdeck support accessed your workspace',
    })
    expect(result.handoffUrl.startsWith('http://127.0.0.1:3001/_fleetdeck/handoff?token=')).toBe(
      true,
    )
    const token = tokenOf(result.handoffUrl)
    expect(decodeProtectedHeader(token)).toMatchObject({
      alg: 'EdDSA',
      typ: 'fleetdeck-handoff+jwt',
    })
    const claims = decodeJwt(token)
    expect(claims).toMatchObject({
      iss: t.config.publicUrl,
      aud: s.appKey.appUrl,
      sub: s.user.id,
      tenant_id: s.tenant.id,
      tenant_slug: s.tenant.slug,
      act: { sub: s.operator.admin.id, email: s.operator.admin.email },
      imp: imp.id,
      mode: 'read_only',
    })
    expect(claims.exp! - claims.iat!).toBe(60)
    expect(claims.jti).toBe(
      (
        await t.db
          .selectFrom('impersonations')
          .select('handoff_jti')
          .where('id', '=', imp.id)
          .executeTakeFirstOrThrow()
      ).handoff_jti,
    )
  })

  it('refuses a disabled user, writing nothing', async () => {
    const s = await impersonationScene(t.db, t.config)
    await t.db
      .updateTable('users')
      .set({ status: 'disabled' })
      .where('id', '=', s.user.id)
      .execute()
    await expectRefused(s, 'user_disabled')
  })

  it('refuses a deleted, failed or provisioning tenant, writing nothing', async () => {
    for (const status of ['failed', 'provisioning', 'deleted'] as const) {
      const s = await impersonationScene(t.db, t.config)
      await t.db.updateTable('tenants').set({ status }).where('id', '=', s.tenant.id).execute()
      await expectRefused(s, 'tenant_unavailable')
    }
  })

  it('refuses a user who is not a member of the tenant, writing nothing', async () => {
    const s = await impersonationScene(t.db, t.config)
    const stranger = await createUser(t.db)
    await expectRefused(s, 'not_a_member', { userId: stranger.id })
  })

  it('lets a suspended tenant be viewed read-only only', async () => {
    const s = await impersonationScene(t.db, t.config)
    await t.db
      .updateTable('tenants')
      .set({ status: 'suspended' })
      .where('id', '=', s.tenant.id)
      .execute()
    await expectRefused(s, 'suspended_read_only', { mode: 'read_write' })
    expect((await start(s)).ok).toBe(true)
  })

  it('refuses a second impersonation while the first is open, writing nothing', async () => {
    const s = await impersonationScene(t.db, t.config)
    expect((await start(s)).ok).toBe(true)
    await expectRefused(s, 'already_impersonating')
  })

  it('expires a lapsed open impersonation of the operator, audited, and starts the new one', async () => {
    const s = await impersonationScene(t.db, t.config)
    const first = await startSceneImpersonation(t.db, t.config, s, now())
    t.clock.advance(31 * 60_000)

    const second = await start(s)

    expect(second.ok).toBe(true)
    const old = await t.db
      .selectFrom('impersonations')
      .selectAll()
      .where('id', '=', first.impersonation.id)
      .executeTakeFirstOrThrow()
    expect(old.end_reason).toBe('expired')
    expect(old.ended_at).toEqual(first.impersonation.expiresAt)
    const expiry = (await auditEntries(t.db, 'impersonation.expire')).filter(
      (e) => e.target_id === first.impersonation.id,
    )
    expect(expiry).toHaveLength(1)
    expect(await tenantEntries(t.db, s.tenant.slug, 'support.impersonation_expired')).toHaveLength(
      1,
    )
  })

  it('refuses without a connected tenant app, and asks which one when there are several', async () => {
    const s = await impersonationScene(t.db, t.config)
    await t.db.updateTable('app_keys').set({ revoked_at: now() }).execute()
    await expectRefused(s, 'no_app_key', { appKeyId: undefined })
    await expectRefused(s, 'unknown_app_key', { appKeyId: s.appKey.id })
    const only = await createAppKey(t.db)
    const picked = await start(s, { appKeyId: undefined })
    expect(picked.ok && picked.impersonation.appKeyId).toBe(only.key.id)
    await endImpersonation(
      t.db,
      {},
      picked.ok ? picked.impersonation.id : '',
      { by: s.operator.admin, reason: 'ended' },
      now(),
    )
    await createAppKey(t.db)
    await expectRefused(s, 'choose_app_key', { appKeyId: undefined })
  })

  it('fails and writes nothing when the tenant schema is missing; expiry skips it until it is back', async () => {
    const s = await impersonationScene(t.db, t.config)
    const other = await impersonationScene(t.db, t.config)
    const open = await startSceneImpersonation(t.db, t.config, other, now())
    const before = await impersonationCounts(t.db, s.tenant.slug)
    await hideSchema(s.tenant.slug)
    await hideSchema(other.tenant.slug)
    try {
      await expect(start(s)).rejects.toThrow()
      t.clock.advance(30 * 60_000)
      expect((await expireImpersonations(t.db, now())).failed).toContain(open.impersonation.id)
      expect(await openImpersonationIds()).toContain(open.impersonation.id)
    } finally {
      await showSchema(s.tenant.slug)
      await showSchema(other.tenant.slug)
    }
    // Other tests' lapsed impersonations expired meanwhile; none of these two wrote anything.
    const after = await impersonationCounts(t.db, s.tenant.slug)
    expect(after.impersonations).toBe(before.impersonations)
    expect(after.tenantLog).toBe(before.tenantLog)
    const written = (
      await t.db.selectFrom('audit_log').select(['action', 'impersonated_user_id']).execute()
    ).filter(
      (e) =>
        e.impersonated_user_id === s.user.id ||
        (e.action === 'impersonation.expire' && e.impersonated_user_id === other.user.id),
    )
    expect(written).toEqual([])
    expect((await expireImpersonations(t.db, now())).expired).toBeGreaterThanOrEqual(1)
    expect(await openImpersonationIds()).not.toContain(open.impersonation.id)
  })
})

async function hideSchema(slug: string) {
  await sql`alter schema ${sql.id(tenantSchemaName(slug))} rename to ${sql.id(`hidden_${slug}`)}`.execute(
    t.db,
  )
}

async function showSchema(slug: string) {
  await sql`alter schema ${sql.id(`hidden_${slug}`)} rename to ${sql.id(tenantSchemaName(slug))}`.execute(
    t.db,
  )
}

async function openImpersonationIds() {
  const rows = await t.db
    .selectFrom('impersonations')
    .select('id')
    .where('ended_at', 'is', null)
    .execute()
  return rows.map((r) => r.id)
}

describe('ending and expiry', () => {
  async function endReasonOf(id: string) {
    const row = await t.db
      .selectFrom('impersonations')
      .select(['end_reason', 'ended_by'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    return row
  }

  it('deactivating the operator ends their open impersonation, in both logs', async () => {
    const s = await impersonationScene(t.db, t.config)
    const { impersonation } = await startSceneImpersonation(t.db, t.config, s, now())
    const owner = await t.owner()

    const result = await deactivateOperator(
      t.db,
      { actor: owner.admin },
      s.operator.admin.id,
      now(),
    )

    expect(result.ok).toBe(true)
    expect(await endReasonOf(impersonation.id)).toEqual({
      end_reason: 'ended',
      ended_by: owner.admin.id,
    })
    const [tenantEntry] = await tenantEntries(t.db, s.tenant.slug, 'support.impersonation_ended')
    expect(tenantEntry).toMatchObject({ actor: owner.admin.email })
  })

  it('a role that cannot impersonate ends the open impersonation; one that can keeps it', async () => {
    const s = await impersonationScene(t.db, t.config)
    const { impersonation } = await startSceneImpersonation(t.db, t.config, s, now())
    const owner = await t.owner()
    const ctx = { actor: owner.admin }

    await changeOperatorRole(t.db, ctx, s.operator.admin.id, 'admin', now())
    expect(await endReasonOf(impersonation.id)).toEqual({ end_reason: null, ended_by: null })

    await changeOperatorRole(t.db, ctx, s.operator.admin.id, 'viewer', now())
    expect(await endReasonOf(impersonation.id)).toEqual({
      end_reason: 'ended',
      ended_by: owner.admin.id,
    })
  })

  it('deleting the tenant ends its open impersonation as tenant_unavailable, audited', async () => {
    const s = await impersonationScene(t.db, t.config)
    const { impersonation } = await startSceneImpersonation(t.db, t.config, s, now())
    const owner = await t.owner()

    await deleteTestTenant(t.database, s.tenant.id, { context: { actor: owner.admin }, now: now() })

    const row = await t.db
      .selectFrom('impersonations')
      .select(['ended_at', 'end_reason', 'ended_by'])
      .where('id', '=', impersonation.id)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({ end_reason: 'tenant_unavailable', ended_by: owner.admin.id })
    expect(row.ended_at).not.toBeNull()
    const [entry] = (await auditEntries(t.db, 'impersonation.end')).filter(
      (e) => e.target_id === impersonation.id,
    )
    expect(entry).toMatchObject({ actor_id: owner.admin.id, impersonated_user_id: s.user.id })
    expect(entry.after).toMatchObject({ endReason: 'tenant_unavailable' })
    const [deletion] = (await auditEntries(t.db, 'tenant.delete')).filter(
      (e) => e.target_id === s.tenant.id,
    )
    expect(deletion.after).toMatchObject({ impersonationsEnded: 1 })
  })

  it('End writes both logs once; ending again changes nothing', async () => {
    const s = await impersonationScene(t.db, t.config)
    const { impersonation } = await startSceneImpersonation(t.db, t.config, s, now())
    const by = s.operator.admin

    const ended = await endImpersonation(
      t.db,
      { actor: by },
      impersonation.id,
      { by, reason: 'ended' },
      now(),
    )
    const again = await endImpersonation(
      t.db,
      { actor: by },
      impersonation.id,
      { by, reason: 'ended' },
      now(),
    )

    expect(ended).toMatchObject({ ok: true, changed: true })
    expect(again).toMatchObject({ ok: true, changed: false })
    const entries = (await auditEntries(t.db, 'impersonation.end')).filter(
      (e) => e.target_id === impersonation.id,
    )
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({
      actor_id: by.id,
      impersonated_user_id: s.user.id,
      impersonated_tenant_id: s.tenant.id,
    })
    const [tenantEntry] = await tenantEntries(t.db, s.tenant.slug, 'support.impersonation_ended')
    expect(tenantEntry).toMatchObject({ actor: by.email })
    expect(tenantEntry.details).toMatchObject({
      impersonationId: impersonation.id,
      endReason: 'ended',
    })
  })

  it('expiry ends lapsed impersonations at their expiry, in both logs, with no actor', async () => {
    const s = await impersonationScene(t.db, t.config)
    const { impersonation } = await startSceneImpersonation(t.db, t.config, s, now())
    t.clock.advance(30 * 60_000)

    const result = await expireImpersonations(t.db, now())

    expect(result.expired).toBeGreaterThanOrEqual(1)
    const row = await t.db
      .selectFrom('impersonations')
      .selectAll()
      .where('id', '=', impersonation.id)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({ end_reason: 'expired', ended_by: null })
    expect(row.ended_at).toEqual(impersonation.expiresAt)
    const [entry] = (await auditEntries(t.db, 'impersonation.expire')).filter(
      (e) => e.target_id === impersonation.id,
    )
    expect(entry).toMatchObject({
      actor_id: null,
      impersonated_user_id: s.user.id,
      impersonated_tenant_id: s.tenant.id,
    })
    const [tenantEntry] = await tenantEntries(t.db, s.tenant.slug, 'support.impersonation_expired')
    expect(tenantEntry.actor).toBe(s.operator.admin.email)
    expect((await expireImpersonations(t.db, now())).expired).toBe(0)
  })
})
