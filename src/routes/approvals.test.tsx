import { afterEach, describe, expect, it } from 'vitest'
import { findApproval } from '../approvals/approval-rows.js'
import { APPROVAL_KINDS, getApprovalPolicy, setApprovalPolicy } from '../approvals/policy.js'
import { findTenantById } from '../db/tenants.js'
import { auditEntries } from '../test-support/database-state.js'
import { createSuperAdmin, createTenant } from '../test-support/factories.js'
import { fieldError, textOf } from '../test-support/html.js'
import { cookieOfRole, followWithFlash } from '../test-support/plan-scenes.js'
import { getPage, postForm, sendForm } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

// Dual control through the console (issue 14 item 6): the policy page, a delete that becomes a
// request, and the decisions on /approvals.

const t = useTestApp()
const now = () => new Date(t.clock.now())
const cookieOf = (role: 'owner' | 'admin' | 'operator' | 'viewer') =>
  cookieOfRole(t.db, t.config, role, now())

async function setPolicy(on: boolean) {
  const who = await createSuperAdmin(t.db, t.config)
  const policy = Object.fromEntries(APPROVAL_KINDS.map((k) => [k, on]))
  await setApprovalPolicy(t.db, { actor: null }, policy as never, who.admin.id, now())
}

afterEach(() => setPolicy(false))

async function requestDelete(cookie: string) {
  const tenant = await createTenant(t.db)
  const res = await sendForm(
    t.app,
    'DELETE',
    `/tenants/${tenant.id}`,
    { confirmSlug: tenant.slug, approvalReason: 'Customer asked to close' },
    cookie,
  )
  const id = res.headers.get('location')?.split('/approvals/')[1] ?? ''
  return { tenant, res, id }
}

describe('/settings/approvals', () => {
  it('an owner turns dual control on for tenant deletes; the change is audited', async () => {
    const cookie = await cookieOf('owner')
    const res = await postForm(t.app, '/settings/approvals', { 'tenant.delete': 'on' }, cookie)
    expect(textOf(await followWithFlash(t.app, res, cookie), '[role="status"]')).toContain(
      'Dual control settings saved.',
    )
    expect(await getApprovalPolicy(t.db)).toMatchObject({
      'tenant.delete': true,
      'secrets.rotate': false,
    })
    expect((await auditEntries(t.db, 'settings.approvals')).at(-1)!.after).toMatchObject({
      'tenant.delete': true,
    })
  })

  it('an admin may not change the policy', async () => {
    const res = await postForm(
      t.app,
      '/settings/approvals',
      { 'tenant.delete': 'on' },
      await cookieOf('admin'),
    )
    expect(res.status).toBe(403)
    expect((await getApprovalPolicy(t.db))['tenant.delete']).toBe(false)
  })
})

describe('a tenant delete under dual control', () => {
  it('with the policy off, Delete deletes at once as before', async () => {
    const { tenant, res } = await requestDelete(await cookieOf('owner'))
    expect(res.headers.get('location')).toBe('/tenants')
    expect((await findTenantById(t.db, tenant.id))!.status).toBe('deleted')
  })

  it('with the policy on, the form asks for a reason and Delete records a request instead', async () => {
    await setPolicy(true)
    const cookie = await cookieOf('owner')
    const shown = await createTenant(t.db)
    const page = await (await getPage(t.app, `/tenants/${shown.id}`, cookie)).text()
    expect(page).toContain('Reason (required for approval)')

    const { tenant, res, id } = await requestDelete(cookie)

    expect(res.status).toBe(303)
    expect(textOf(await followWithFlash(t.app, res, cookie), '[role="status"]')).toContain(
      'Sent for approval: a second owner or admin must approve within 24 hours.',
    )
    expect((await findTenantById(t.db, tenant.id))!.status).toBe('active')
    expect(await findApproval(t.db, id)).toMatchObject({ status: 'pending', kind: 'tenant.delete' })
  })

  it('refuses a request without a reason with 422 and the message next to the field', async () => {
    await setPolicy(true)
    const tenant = await createTenant(t.db)
    const res = await sendForm(
      t.app,
      'DELETE',
      `/tenants/${tenant.id}`,
      { confirmSlug: tenant.slug, approvalReason: ' ' },
      await cookieOf('owner'),
    )
    expect(res.status).toBe(422)
    expect(fieldError(await res.text(), 'approvalReason')).toBe('Say why: the approver reads this.')
  })

  it('the requester cannot approve their own request', async () => {
    await setPolicy(true)
    const cookie = await cookieOf('owner')
    const { tenant, id } = await requestDelete(cookie)
    const res = await postForm(t.app, `/approvals/${id}/approval`, {}, cookie)
    expect(textOf(await followWithFlash(t.app, res, cookie), '[role="alert"]')).toContain(
      'You asked for this yourself',
    )
    expect((await findTenantById(t.db, tenant.id))!.status).toBe('active')
  })

  it('an operator or viewer cannot approve (403) and nothing is run', async () => {
    await setPolicy(true)
    const { tenant, id } = await requestDelete(await cookieOf('owner'))
    for (const role of ['operator', 'viewer'] as const) {
      const res = await postForm(t.app, `/approvals/${id}/approval`, {}, await cookieOf(role))
      expect(res.status).toBe(403)
    }
    expect((await findTenantById(t.db, tenant.id))!.status).toBe('active')
  })

  it('a second owner approves on /approvals: the tenant is deleted, both named in the audit entry', async () => {
    await setPolicy(true)
    const { tenant, id } = await requestDelete(await cookieOf('owner'))
    const approver = await cookieOf('admin')
    const list = await (await getPage(t.app, '/approvals', approver)).text()
    expect(textOf(list, `#approval-${id}`)).toContain('Customer asked to close')

    const res = await postForm(t.app, `/approvals/${id}/approval`, { note: 'ok' }, approver)

    expect(textOf(await followWithFlash(t.app, res, approver), '[role="status"]')).toContain(
      `Approved and run: Delete tenant ${tenant.slug}.`,
    )
    expect((await findTenantById(t.db, tenant.id))!.status).toBe('deleted')
    const request = (await findApproval(t.db, id))!
    expect(request.status).toBe('approved')
    const entry = (await auditEntries(t.db, 'tenant.delete')).find(
      (e) => e.target_id === tenant.id,
    )!
    expect(entry.actor_id).toBe(request.requestedBy)
    expect(entry.approved_by_id).toBe(request.decidedBy)
  })

  it('a rejection runs nothing, and the requester may cancel their own', async () => {
    await setPolicy(true)
    const requester = await cookieOf('owner')
    const first = await requestDelete(requester)
    const other = await cookieOf('owner')
    const rejected = await postForm(
      t.app,
      `/approvals/${first.id}/rejection`,
      { note: 'no' },
      other,
    )
    expect(textOf(await followWithFlash(t.app, rejected, other), '[role="status"]')).toContain(
      'Rejected',
    )
    expect((await findTenantById(t.db, first.tenant.id))!.status).toBe('active')

    const second = await requestDelete(requester)
    expect((await postForm(t.app, `/approvals/${second.id}/cancellation`, {}, other)).status).toBe(
      403,
    )
    const cancelled = await postForm(t.app, `/approvals/${second.id}/cancellation`, {}, requester)
    expect(textOf(await followWithFlash(t.app, cancelled, requester), '[role="status"]')).toContain(
      'Cancelled',
    )
    expect((await findApproval(t.db, second.id))!.status).toBe('cancelled')
  })
})

describe('the other console actions under dual control', () => {
  it('a TOTP reset becomes a request and runs once approved', async () => {
    await setPolicy(true)
    const cookie = await cookieOf('owner')
    const target = await createSuperAdmin(t.db, t.config, { role: 'operator' })
    const res = await sendForm(
      t.app,
      'DELETE',
      `/super-admins/${target.admin.id}/totp`,
      { approvalReason: 'Lost phone' },
      cookie,
    )
    const id = res.headers.get('location')?.split('/approvals/')[1] ?? ''
    expect(
      (
        await t.db
          .selectFrom('super_admins')
          .select('mfa_enabled')
          .where('id', '=', target.admin.id)
          .executeTakeFirstOrThrow()
      ).mfa_enabled,
    ).toBe(true)
    await postForm(t.app, `/approvals/${id}/approval`, {}, await cookieOf('owner'))
    expect(
      (
        await t.db
          .selectFrom('super_admins')
          .select('mfa_enabled')
          .where('id', '=', target.admin.id)
          .executeTakeFirstOrThrow()
      ).mfa_enabled,
    ).toBe(false)
  })
})
