import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { tenantSchemaName } from '../db/tenant-schema.js'
import { findTenantAuditOutbox } from '../db/tenant-audit-outbox.js'
import { OUTBOX_SWEEP_AGE_MS, sweepTenantAuditOutbox } from '../tenancy/tenant-audit-delivery.js'
import { createAppKey } from '../test-support/factories.js'
import { auditEntries } from '../test-support/database-state.js'
import {
  impersonationScene,
  startSceneImpersonation,
  tenantEntries,
} from '../test-support/impersonation.js'
import { useTestApp } from '../test-support/test-app.js'
import { endImpersonation } from '../tenancy/impersonation-end.js'

// PROTOCOL.md "Tenant audit entries": a tenant app writes into its tenant's log; a write done
// while impersonating carries both identities, filled in by Fleetdeck, never by the app.

const t = useTestApp()
const now = () => new Date(t.clock.now())

function post(slug: string, appToken: string, body: unknown) {
  return t.app.request(`/kit/v1/tenants/${slug}/audit-entries`, {
    method: 'POST',
    headers: { authorization: `Bearer ${appToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
}

describe('POST /kit/v1/tenants/:slug/audit-entries', () => {
  it('writes a tenant user’s own action with their email as the actor', async () => {
    const s = await impersonationScene(t.db, t.config)

    const res = await post(s.tenant.slug, s.appToken, {
      action: 'board.renamed',
      details: { to: 'Roadmap' },
      actorEmail: s.user.email,
    })

    expect(res.status).toBe(201)
    const { entry } = await res.json()
    const [written] = await tenantEntries(t.db, s.tenant.slug, 'board.renamed')
    expect(written).toMatchObject({ id: entry.id, actor: s.user.email, details: { to: 'Roadmap' } })
  })

  it('refuses an app’s own entry that poses as support’s, writing nothing', async () => {
    const s = await impersonationScene(t.db, t.config)
    const before = await tenantEntries(t.db, s.tenant.slug, 'support.impersonation_started')

    const posing = await post(s.tenant.slug, s.appToken, {
      action: 'support.impersonation_started',
      actorEmail: s.user.email,
    })
    const forgedDetails = await post(s.tenant.slug, s.appToken, {
      action: 'board.renamed',
      details: { impersonatedUser: 'someone@example.com' },
      actorEmail: s.user.email,
    })

    expect(posing.status).toBe(422)
    expect(await posing.json()).toMatchObject({ code: 'invalid_input' })
    expect(forgedDetails.status).toBe(422)
    expect(await tenantEntries(t.db, s.tenant.slug, 'support.impersonation_started')).toEqual(
      before,
    )
    expect(await tenantEntries(t.db, s.tenant.slug, 'board.renamed')).toEqual([])
  })

  it('refuses a write under a read-only impersonation: Fleetdeck holds read-only too', async () => {
    const s = await impersonationScene(t.db, t.config)
    const { impersonation } = await startSceneImpersonation(t.db, t.config, s, now())

    const res = await post(s.tenant.slug, s.appToken, {
      action: 'note.added',
      impersonationId: impersonation.id,
    })

    expect(res.status).toBe(409)
    expect(await res.json()).toMatchObject({ code: 'read_only' })
    expect(await tenantEntries(t.db, s.tenant.slug, 'note.added')).toEqual([])
    const actions = (await auditEntries(t.db, 'impersonation.action')).filter(
      (e) => e.target_id === impersonation.id,
    )
    expect(actions).toEqual([])
  })

  it('fills both identities from the impersonation for a write done while impersonating', async () => {
    const s = await impersonationScene(t.db, t.config)
    const { impersonation } = await startSceneImpersonation(t.db, t.config, s, now(), 'read_write')

    const res = await post(s.tenant.slug, s.appToken, {
      action: 'board.deleted',
      details: { board: 'main', impersonatedUser: 'forged@example.com' },
      actorEmail: 'forged@example.com',
      impersonationId: impersonation.id,
    })

    expect(res.status).toBe(201)
    const [written] = await tenantEntries(t.db, s.tenant.slug, 'board.deleted')
    expect(written.actor).toBe(s.operator.admin.email)
    expect(written.details).toMatchObject({
      board: 'main',
      impersonatedUser: s.user.email,
      impersonationId: impersonation.id,
      reason: impersonation.reason,
      ticket: 'SUP-1234',
      mode: 'read_write',
      via: 'fleetdeck-support',
    })
    const [entry] = (await auditEntries(t.db, 'impersonation.action')).filter(
      (e) => e.target_id === impersonation.id,
    )
    expect(entry).toMatchObject({
      actor_id: s.operator.admin.id,
      impersonated_user_id: s.user.id,
      impersonated_tenant_id: s.tenant.id,
    })
  })

  it('answers 202 queued when the entry cannot reach the tenant log after the commit; the sweep puts it there once', async () => {
    const s = await impersonationScene(t.db, t.config)
    const { impersonation } = await startSceneImpersonation(t.db, t.config, s, now(), 'read_write')
    const schema = tenantSchemaName(s.tenant.slug)
    // A constraint, not a trigger: Citus refuses triggers on a distributed schema's tables.
    await sql`alter table ${sql.raw(schema)}.audit_log add constraint offline
      check (action <> 'board.archived') not valid`.execute(t.db)

    const res = await post(s.tenant.slug, s.appToken, {
      action: 'board.archived',
      impersonationId: impersonation.id,
    })

    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ entry: { id: null, queued: true } })
    const [entry] = (await auditEntries(t.db, 'impersonation.action')).filter(
      (e) => e.target_id === impersonation.id,
    )
    const deliveryId = (entry.after as { deliveryId: string }).deliveryId
    expect(await findTenantAuditOutbox(t.db, deliveryId)).toMatchObject({
      attempts: 1,
      lastError: expect.stringMatching(/check constraint "offline(_\d+)?"/),
    })
    await sql`alter table ${sql.raw(schema)}.audit_log drop constraint offline`.execute(t.db)
    await sweepTenantAuditOutbox(t.db, new Date(Date.now() + OUTBOX_SWEEP_AGE_MS + 1000))
    const written = await tenantEntries(t.db, s.tenant.slug, 'board.archived')
    expect(written).toHaveLength(1)
    expect(written[0].details).toMatchObject({ impersonationId: impersonation.id, deliveryId })
  })

  it('refuses an app’s own entry carrying deliveryId, which only Fleetdeck writes', async () => {
    const s = await impersonationScene(t.db, t.config)

    const res = await post(s.tenant.slug, s.appToken, {
      action: 'note.added',
      actorEmail: s.user.email,
      details: { deliveryId: crypto.randomUUID() },
    })

    expect(res.status).toBe(422)
    expect(await tenantEntries(t.db, s.tenant.slug, 'note.added')).toEqual([])
  })

  it('refuses an ended impersonation with 409 and another key’s or tenant’s with 404, writing nothing', async () => {
    const s = await impersonationScene(t.db, t.config)
    const other = await impersonationScene(t.db, t.config)
    const { impersonation } = await startSceneImpersonation(t.db, t.config, s, now())
    const twin = await createAppKey(t.db, { appUrl: s.appKey.appUrl })
    const body = { action: 'board.deleted', impersonationId: impersonation.id }

    expect((await post(s.tenant.slug, twin.token, body)).status).toBe(404)
    expect((await post(other.tenant.slug, s.appToken, body)).status).toBe(404)
    const by = s.operator.admin
    await endImpersonation(t.db, { actor: by }, impersonation.id, { by, reason: 'ended' }, now())
    const ended = await post(s.tenant.slug, s.appToken, body)
    expect(ended.status).toBe(409)
    expect(await ended.json()).toMatchObject({ code: 'impersonation_inactive' })
    expect(await tenantEntries(t.db, s.tenant.slug, 'board.deleted')).toEqual([])
    expect(await tenantEntries(t.db, other.tenant.slug, 'board.deleted')).toEqual([])
    const actions = await auditEntries(t.db, 'impersonation.action')
    expect(actions.filter((e) => e.target_id === impersonation.id)).toEqual([])
  })

  it('answers 404 for an unknown tenant and 422 without an actor or with a bad action', async () => {
    const s = await impersonationScene(t.db, t.config)
    const unknown = await post('no-such-tenant', s.appToken, {
      action: 'x.y',
      actorEmail: s.user.email,
    })
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ code: 'tenant_not_found' })
    const anonymous = await post(s.tenant.slug, s.appToken, { action: 'board.deleted' })
    expect(anonymous.status).toBe(422)
    expect(await anonymous.json()).toMatchObject({ errors: [{ path: 'actorEmail' }] })
    const bad = await post(s.tenant.slug, s.appToken, {
      action: 'DROP TABLE',
      actorEmail: s.user.email,
    })
    expect(bad.status).toBe(422)
  })
})
