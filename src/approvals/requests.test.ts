import { describe, expect, it } from 'vitest'
import { ensureActiveSigningKey } from '../auth/signing-keys.js'
import type { AuditContext } from '../db/audit-log.js'
import { findActiveSigningKey } from '../db/signing-keys.js'
import { findSuperAdminById } from '../db/super-admins.js'
import { findTenantById } from '../db/tenants.js'
import { auditEntries } from '../test-support/database-state.js'
import { createSuperAdmin, createTenant, type TestAdmin } from '../test-support/factories.js'
import { useTestApp } from '../test-support/test-app.js'
import { findApproval } from './approval-rows.js'
import { APPROVAL_KINDS, approvalRequired, getApprovalPolicy, setApprovalPolicy } from './policy.js'
import {
  APPROVAL_TTL_MS,
  cancelApproval,
  decideApproval,
  expireApprovals,
  gateOrRun,
  requestApproval,
  type ApprovalInput,
} from './requests.js'

// Dual control's rules on the domain verbs (issue 14 item 6), against the real database.

const t = useTestApp()
const now = () => new Date(t.clock.now())
const deps = () => ({ database: t.database, config: t.config })
const ctxOf = (who: TestAdmin): AuditContext => ({
  actor: { id: who.admin.id, email: who.admin.email },
})
const owner = (role: 'owner' | 'admin' | 'operator' | 'viewer' = 'owner') =>
  createSuperAdmin(t.db, t.config, { role })

async function policyOn(...kinds: (typeof APPROVAL_KINDS)[number][]) {
  const who = await owner()
  const policy = Object.fromEntries(APPROVAL_KINDS.map((k) => [k, kinds.includes(k)]))
  await setApprovalPolicy(t.db, ctxOf(who), policy as never, who.admin.id, now())
}

function deleteInput(tenant: { id: string; slug: string }): ApprovalInput<'tenant.delete'> {
  return {
    kind: 'tenant.delete',
    reason: 'Customer left; contract ended',
    summary: `Delete tenant ${tenant.slug}`,
    targetType: 'tenant',
    targetId: tenant.id,
    tenantId: tenant.id,
    change: { tenantId: tenant.id },
  }
}

async function requestDelete(requester: TestAdmin) {
  const tenant = await createTenant(t.db)
  const r = await requestApproval(t.db, ctxOf(requester), deleteInput(tenant), now())
  if (!r.ok) throw new Error(r.reason)
  return { tenant, request: r.request }
}

const approve = (id: string, approver: TestAdmin, decision: 'approve' | 'reject' = 'approve') =>
  decideApproval(deps(), {}, { id, approver: approver.admin, decision, note: 'checked' }, now())

describe('the approval policy', () => {
  it('is all off by default, and a change is audited with before and after', async () => {
    expect(Object.values(await getApprovalPolicy(t.db)).some(Boolean)).toBe(false)
    await policyOn('tenant.delete')
    expect(await approvalRequired(t.db, 'tenant.delete', t.clock.now())).toBe(true)
    expect(await approvalRequired(t.db, 'secrets.rotate', t.clock.now())).toBe(false)
    const entry = (await auditEntries(t.db, 'settings.approvals')).at(-1)!
    expect(entry.before).toMatchObject({ 'tenant.delete': false })
    expect(entry.after).toMatchObject({ 'tenant.delete': true })
    await policyOn()
  })

  it('with the policy off, gateOrRun runs the change at once and records no request', async () => {
    const requester = await owner()
    const tenant = await createTenant(t.db)
    let ran = false
    const out = await gateOrRun(t.db, ctxOf(requester), deleteInput(tenant), now(), async () => {
      ran = true
      return 'done'
    })
    expect(out).toEqual({ gated: false, result: 'done' })
    expect(ran).toBe(true)
    const rows = await t.db
      .selectFrom('approval_requests')
      .selectAll()
      .where('target_id', '=', tenant.id)
      .execute()
    expect(rows).toHaveLength(0)
  })

  it('with the policy on, gateOrRun records a request and runs nothing', async () => {
    await policyOn('tenant.delete')
    const requester = await owner()
    const tenant = await createTenant(t.db)
    const out = await gateOrRun(t.db, ctxOf(requester), deleteInput(tenant), now(), async () => {
      throw new Error('must not run')
    })
    expect(out.gated).toBe(true)
    expect((await findTenantById(t.db, tenant.id))!.status).toBe('active')
    const entry = (await auditEntries(t.db, 'approval.request')).at(-1)!
    expect(entry).toMatchObject({ actor_id: requester.admin.id, tenant_id: tenant.id })
    await policyOn()
  })
})

describe('requesting', () => {
  it('refuses an empty or over-long reason and a second request on the same target', async () => {
    const requester = await owner()
    const tenant = await createTenant(t.db)
    const input = deleteInput(tenant)
    expect(
      await requestApproval(t.db, ctxOf(requester), { ...input, reason: '  ' }, now()),
    ).toEqual({ ok: false, reason: 'reason_required' })
    expect(
      (await requestApproval(t.db, ctxOf(requester), { ...input, reason: 'x'.repeat(501) }, now()))
        .ok,
    ).toBe(false)
    const first = await requestApproval(t.db, ctxOf(requester), input, now())
    const second = await requestApproval(t.db, ctxOf(requester), input, now())
    expect(second).toMatchObject({
      ok: false,
      reason: 'already_pending',
      existingId: first.ok ? first.request.id : '',
    })
  })
})

describe('deciding', () => {
  it('refuses self-approval and leaves the tenant alone', async () => {
    const requester = await owner()
    const { tenant, request } = await requestDelete(requester)
    expect(await approve(request.id, requester)).toEqual({ ok: false, reason: 'self_approval' })
    expect((await findTenantById(t.db, tenant.id))!.status).toBe('active')
    expect((await findApproval(t.db, request.id))!.status).toBe('pending')
  })

  it('refuses an operator or a viewer as approver', async () => {
    const { request } = await requestDelete(await owner())
    expect(await approve(request.id, await owner('operator'))).toEqual({
      ok: false,
      reason: 'forbidden',
    })
    expect(await approve(request.id, await owner('viewer'))).toEqual({
      ok: false,
      reason: 'forbidden',
    })
  })

  it('a second owner approves: the tenant is deleted as the requester, both named in its audit entry', async () => {
    const requester = await owner()
    const approver = await owner('admin')
    const { tenant, request } = await requestDelete(requester)

    const result = await approve(request.id, approver)

    expect(result.ok).toBe(true)
    expect((await findTenantById(t.db, tenant.id))!.status).toBe('deleted')
    const entry = (await auditEntries(t.db, 'tenant.delete')).find(
      (e) => e.target_id === tenant.id,
    )!
    expect(entry).toMatchObject({
      actor_id: requester.admin.id,
      approved_by_id: approver.admin.id,
      approved_by_email: approver.admin.email,
    })
    expect(await findApproval(t.db, request.id)).toMatchObject({
      status: 'approved',
      decidedBy: approver.admin.id,
      decisionNote: 'checked',
    })
    expect((await auditEntries(t.db, 'approval.approve')).at(-1)!.actor_id).toBe(approver.admin.id)
    expect(await approve(request.id, await owner())).toEqual({ ok: false, reason: 'not_pending' })
  })

  it('a rejection changes nothing but the request', async () => {
    const { tenant, request } = await requestDelete(await owner())
    const approver = await owner()
    expect((await approve(request.id, approver, 'reject')).ok).toBe(true)
    expect((await findTenantById(t.db, tenant.id))!.status).toBe('active')
    expect((await findApproval(t.db, request.id))!.status).toBe('rejected')
    expect((await auditEntries(t.db, 'approval.reject')).at(-1)!.target_id).toBe(request.id)
    expect(await approve(request.id, approver)).toEqual({ ok: false, reason: 'not_pending' })
  })

  it('after 24 hours the request has expired and cannot be approved', async () => {
    const { tenant, request } = await requestDelete(await owner())
    t.clock.advance(APPROVAL_TTL_MS)
    expect(await approve(request.id, await owner())).toEqual({ ok: false, reason: 'expired' })
    expect((await findApproval(t.db, request.id))!.status).toBe('expired')
    expect((await findTenantById(t.db, tenant.id))!.status).toBe('active')
    expect((await auditEntries(t.db, 'approval.expire')).at(-1)!.target_id).toBe(request.id)
  })

  it('the sweep expires what is past 24 hours and nothing younger', async () => {
    const old = await requestDelete(await owner())
    t.clock.advance(APPROVAL_TTL_MS - 60_000)
    const young = await requestDelete(await owner())
    t.clock.advance(60_000)
    expect(await expireApprovals(t.db, now())).toBeGreaterThanOrEqual(1)
    expect((await findApproval(t.db, old.request.id))!.status).toBe('expired')
    expect((await findApproval(t.db, young.request.id))!.status).toBe('pending')
  })

  it('a tenant renamed after the request makes it stale: refused and marked failed', async () => {
    const { tenant, request } = await requestDelete(await owner())
    await t.db
      .updateTable('tenants')
      .set({ name: 'Renamed', updated_at: now() })
      .where('id', '=', tenant.id)
      .execute()
    expect(await approve(request.id, await owner())).toEqual({ ok: false, reason: 'stale' })
    expect(await findApproval(t.db, request.id)).toMatchObject({
      status: 'failed',
      result: { reason: 'stale' },
    })
    expect((await findTenantById(t.db, tenant.id))!.status).toBe('active')
    expect((await auditEntries(t.db, 'approval.fail')).at(-1)!.target_id).toBe(request.id)
  })

  it('a requester deactivated meanwhile: the request fails instead of running as them', async () => {
    const requester = await owner()
    const { tenant, request } = await requestDelete(requester)
    await t.db
      .updateTable('super_admins')
      .set({ is_active: false })
      .where('id', '=', requester.admin.id)
      .execute()
    expect(await approve(request.id, await owner())).toEqual({
      ok: false,
      reason: 'requester_cannot',
    })
    expect((await findTenantById(t.db, tenant.id))!.status).toBe('active')
  })

  it('the requester cancels their own pending request; nobody else can', async () => {
    const requester = await owner()
    const { request } = await requestDelete(requester)
    const other = await owner()
    expect(
      await cancelApproval(t.db, ctxOf(other), { id: request.id, by: other.admin }, now()),
    ).toEqual({ ok: false, reason: 'not_requester' })
    expect(
      (await cancelApproval(t.db, ctxOf(requester), { id: request.id, by: requester.admin }, now()))
        .ok,
    ).toBe(true)
    expect((await findApproval(t.db, request.id))!.status).toBe('cancelled')
    expect(await approve(request.id, other)).toEqual({ ok: false, reason: 'not_pending' })
  })
})

describe('the other kinds end to end', () => {
  it("an operator's TOTP reset runs on approval, and is stale once reset already", async () => {
    const requester = await owner()
    const target = await owner('operator')
    const input: ApprovalInput<'operator.totp_reset'> = {
      kind: 'operator.totp_reset',
      reason: 'Lost phone',
      summary: `Reset TOTP of ${target.admin.email}`,
      targetType: 'super_admin',
      targetId: target.admin.id,
      change: { superAdminId: target.admin.id },
    }
    const first = await requestApproval(t.db, ctxOf(requester), input, now())
    if (!first.ok) throw new Error(first.reason)
    const approver = await owner()
    expect((await approve(first.request.id, approver)).ok).toBe(true)
    expect((await findSuperAdminById(t.db, target.admin.id))!.mfaEnabled).toBe(false)
    const entry = (await auditEntries(t.db, 'super_admin.reset_totp')).at(-1)!
    expect(entry).toMatchObject({ actor_id: requester.admin.id, approved_by_id: approver.admin.id })

    // Re-enrolled, a new request, then reset by other means: approval is stale.
    await t.db
      .updateTable('super_admins')
      .set({ mfa_enabled: true, totp_secret_encrypted: 'x' })
      .where('id', '=', target.admin.id)
      .execute()
    const second = await requestApproval(t.db, ctxOf(requester), input, now())
    if (!second.ok) throw new Error(second.reason)
    await t.db
      .updateTable('super_admins')
      .set({ mfa_enabled: false, totp_secret_encrypted: null })
      .where('id', '=', target.admin.id)
      .execute()
    expect(await approve(second.request.id, approver)).toEqual({ ok: false, reason: 'stale' })
  })

  it('a signing-key rotation runs on approval with the kid the request saw', async () => {
    const requester = await owner()
    const { kid } = await ensureActiveSigningKey(t.db, t.config, now())
    const r = await requestApproval(
      t.db,
      ctxOf(requester),
      {
        kind: 'secrets.rotate',
        reason: 'Quarterly rotation',
        summary: 'Rotate the tenant signing key',
        targetType: 'signing_key',
        targetId: 'signing_key',
        change: { secret: 'signing_key', kid },
      },
      now(),
    )
    if (!r.ok) throw new Error(r.reason)
    const approver = await owner()
    expect((await approve(r.request.id, approver)).ok).toBe(true)
    expect((await findActiveSigningKey(t.db))!.kid).not.toBe(kid)
    const entry = (await auditEntries(t.db, 'settings.signing_key.rotate')).at(-1)!
    expect(entry).toMatchObject({ actor_id: requester.admin.id, approved_by_id: approver.admin.id })
  })

  it('a bulk suspend runs on approval, and is stale once a matching tenant changed status', async () => {
    const requester = await owner()
    const slug = `bulk${Date.now().toString(36)}`
    const a = await createTenant(t.db, { slug: `${slug}a`, name: `${slug} A` })
    const b = await createTenant(t.db, { slug: `${slug}b`, name: `${slug} B` })
    const filter = {
      q: slug,
      status: 'active' as const,
      plan: '',
      from: '',
      to: '',
      flag: '',
      flag_state: '',
      health: '' as const,
    }
    const input: ApprovalInput<'tenant.bulk_suspend'> = {
      kind: 'tenant.bulk_suspend',
      reason: 'Abuse wave',
      summary: 'Suspend 2 tenants',
      targetType: 'tenant_filter',
      targetId: null,
      change: { filter, scope: {}, count: 2 },
    }
    const stale = await requestApproval(t.db, ctxOf(requester), input, now())
    if (!stale.ok) throw new Error(stale.reason)
    await t.db.updateTable('tenants').set({ status: 'suspended' }).where('id', '=', b.id).execute()
    expect(await approve(stale.request.id, await owner())).toEqual({ ok: false, reason: 'stale' })
    await t.db.updateTable('tenants').set({ status: 'active' }).where('id', '=', b.id).execute()

    const fresh = await requestApproval(t.db, ctxOf(requester), input, now())
    if (!fresh.ok) throw new Error(fresh.reason)
    const approver = await owner()
    expect((await approve(fresh.request.id, approver)).ok).toBe(true)
    expect((await findTenantById(t.db, a.id))!.status).toBe('suspended')
    expect((await findTenantById(t.db, b.id))!.status).toBe('suspended')
    const entries = (await auditEntries(t.db, 'tenant.suspend')).filter((e) => e.target_id === a.id)
    expect(entries.at(-1)).toMatchObject({
      actor_id: requester.admin.id,
      approved_by_id: approver.admin.id,
    })
  })
})
