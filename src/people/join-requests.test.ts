import { beforeAll, describe, expect, it } from 'vitest'
import type { AuditContext } from '../db/audit-log.js'
import { sql } from 'kysely'
import { JOIN_REQUEST_COUNT_CAP, listJoinRequests } from '../db/join-requests.js'
import { ALL_TENANTS } from '../db/tenant-scope.js'
import type { Tenant } from '../db/tenants.js'
import { changeTenantStatus } from '../tenancy/lifecycle.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import { createTenant, uniqueSuffix } from '../test-support/factories.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { addAutoJoinDomain, normaliseDomain, removeAutoJoinDomain } from './auto-join-domains.js'
import {
  approveJoinRequests,
  denyJoinRequests,
  emailDomain,
  submitJoinRequest,
} from './join-requests.js'

const t = useTestDatabase()
const context: AuditContext = { actor: null, requestId: 'test' }
let tenant: Tenant

beforeAll(async () => {
  tenant = await createTenant(t.db)
})

const freshEmail = (domain = 'example.org') => `person-${uniqueSuffix()}@${domain}`

async function submit(email = freshEmail(), tenantId = tenant.id) {
  const result = await submitJoinRequest(t.db, context, {
    email,
    name: 'Pat Person',
    tenantId,
    message: 'Let me in, please.',
  })
  if (!result.ok) throw new Error(`submit refused: ${result.reason}`)
  return result.request
}

function requestRow(id: string) {
  return t.db.selectFrom('join_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

function membership(email: string, tenantId: string) {
  return t.db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['memberships.role', 'users.id', 'users.name'])
    .where('users.email', '=', email)
    .where('memberships.tenant_id', '=', tenantId)
    .executeTakeFirst()
}

describe('submitting a join request', () => {
  it('stores a pending request and audits the submission', async () => {
    const request = await submit()
    expect(request.status).toBe('pending')
    const entry = (await auditEntries(t.db, 'join_request.submit')).find(
      (e) => e.target_id === request.id,
    )
    expect(entry?.tenant_id).toBe(tenant.id)
  })

  it('refuses a second pending request for the same tenant and email, in any case', async () => {
    const email = freshEmail()
    await submit(email)
    const again = await submitJoinRequest(t.db, context, {
      email: email.toUpperCase(),
      tenantId: tenant.id,
      message: '',
    })
    expect(again).toEqual({ ok: false, reason: 'already_pending' })
  })

  it('refuses a suspended tenant and an unknown one', async () => {
    const closed = await createTenant(t.db)
    await changeTenantStatus(t.db, context, closed.id, 'suspend')
    const input = { email: freshEmail(), tenantId: closed.id, message: '' }
    expect(await submitJoinRequest(t.db, context, input)).toEqual({
      ok: false,
      reason: 'tenant_unavailable',
    })
    expect(
      await submitJoinRequest(t.db, context, { ...input, tenantId: crypto.randomUUID() }),
    ).toEqual({ ok: false, reason: 'unknown_tenant' })
  })

  it('approves at once as member when the email domain is an auto-join domain', async () => {
    const domain = `acme-${uniqueSuffix()}.example`
    const added = await addAutoJoinDomain(t.db, context, tenant.id, domain)
    expect(added.ok).toBe(true)
    const email = freshEmail(domain.toUpperCase())
    const request = await submit(email)
    expect(request.status).toBe('approved')
    expect(request.role).toBe('member')
    expect(await membership(email, tenant.id)).toMatchObject({ role: 'member', name: 'Pat Person' })
    const entry = (await auditEntries(t.db, 'join_request.auto_approve')).find(
      (e) => e.target_id === request.id,
    )
    expect(entry?.after).toMatchObject({ status: 'approved', role: 'member', domain })
    await removeAutoJoinDomain(t.db, context, tenant.id, domain)
    expect((await submit(freshEmail(domain))).status).toBe('pending')
  })

  it('an auto-join domain does not open a seat the plan lacks: at the member quota it waits pending', async () => {
    const full = await createTenant(t.db, { planId: 'free' })
    const domain = `full-${uniqueSuffix()}.example`
    expect((await addAutoJoinDomain(t.db, context, full.id, domain)).ok).toBe(true)
    const plan = await t.db
      .selectFrom('plans')
      .select('max_members')
      .where('id', '=', 'free')
      .executeTakeFirstOrThrow()
    const members = async () =>
      Number(
        (
          await t.db
            .selectFrom('memberships')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('tenant_id', '=', full.id)
            .executeTakeFirstOrThrow()
        ).n,
      )
    const seats = plan.max_members!
    while ((await members()) < seats) await submit(freshEmail(domain), full.id)

    const waiting = await submit(freshEmail(domain), full.id)

    expect(waiting.status).toBe('pending')
    expect(await members()).toBe(seats)
    const entry = (await auditEntries(t.db, 'join_request.submit')).find(
      (e) => e.target_id === waiting.id,
    )
    expect(entry?.after).toMatchObject({
      status: 'pending',
      quotaReached: true,
      memberQuota: seats,
    })
  })
})

describe('approving join requests', () => {
  it('creates the user and the membership, and audits with a batch id', async () => {
    const email = freshEmail()
    const request = await submit(email)
    const users = await countRows(t.db, 'users')
    const result = await approveJoinRequests(t.db, context, [request.id], 'admin')
    expect(result.ok).toBe(true)
    expect(await countRows(t.db, 'users')).toBe(users + 1)
    expect(await membership(email, tenant.id)).toMatchObject({ role: 'admin' })
    const row = await requestRow(request.id)
    expect(row).toMatchObject({ status: 'approved', role: 'admin' })
    expect(row.decided_at).not.toBeNull()
    const [entry] = (await auditEntries(t.db, 'join_request.approve')).filter(
      (e) => e.target_id === request.id,
    )
    expect(entry.batch_id).toBe(result.ok ? result.batchId : 'none')
    expect(entry.before).toMatchObject({ status: 'pending' })
    expect(entry.after).toMatchObject({ status: 'approved', role: 'admin', userCreated: true })
  })

  it('gives several requests one batch id', async () => {
    const requests = [await submit(), await submit(), await submit()]
    const result = await approveJoinRequests(
      t.db,
      context,
      requests.map((r) => r.id),
      'member',
    )
    expect(result.ok).toBe(true)
    const entries = (await auditEntries(t.db, 'join_request.approve')).filter((e) =>
      requests.some((r) => r.id === e.target_id),
    )
    expect(entries).toHaveLength(3)
    expect(new Set(entries.map((e) => e.batch_id)).size).toBe(1)
  })

  it('refuses a request already decided, changing nothing', async () => {
    const request = await submit()
    await denyJoinRequests(t.db, context, [request.id], 'Not an employee.')
    const audit = await countRows(t.db, 'audit_log')
    const result = await approveJoinRequests(t.db, context, [request.id], 'member')
    expect(result).toMatchObject({ ok: false, reason: 'already_decided' })
    expect((await requestRow(request.id)).status).toBe('denied')
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
  })

  it('refuses the whole batch when one tenant is suspended, changing nothing', async () => {
    const other = await createTenant(t.db)
    const open = await submit()
    const closed = await submit(freshEmail(), other.id)
    await changeTenantStatus(t.db, context, other.id, 'suspend')
    const before = await Promise.all([countRows(t.db, 'memberships'), countRows(t.db, 'users')])
    const result = await approveJoinRequests(t.db, context, [open.id, closed.id], 'member')
    expect(result).toMatchObject({
      ok: false,
      reason: 'tenant_unavailable',
      blocked: [{ id: closed.id, detail: 'suspended' }],
    })
    expect((await requestRow(open.id)).status).toBe('pending')
    expect(await Promise.all([countRows(t.db, 'memberships'), countRows(t.db, 'users')])).toEqual(
      before,
    )
  })

  it('decides a request once when two operators decide it at the same time', async () => {
    const request = await submit()
    const results = await Promise.all([
      approveJoinRequests(t.db, context, [request.id], 'member'),
      denyJoinRequests(t.db, context, [request.id], 'Too late.'),
      approveJoinRequests(t.db, context, [request.id], 'admin'),
    ])
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    for (const r of results.filter((r) => !r.ok))
      expect(r).toMatchObject({ reason: 'already_decided' })
    const entries = [
      ...(await auditEntries(t.db, 'join_request.approve')),
      ...(await auditEntries(t.db, 'join_request.deny')),
    ].filter((e) => e.target_id === request.id)
    expect(entries).toHaveLength(1)
  })

  it('refuses ids that do not exist or are not uuids', async () => {
    const request = await submit()
    expect(
      await approveJoinRequests(t.db, context, [request.id, crypto.randomUUID()], 'member'),
    ).toMatchObject({ ok: false, reason: 'not_found' })
    expect(await approveJoinRequests(t.db, context, ['nope'], 'member')).toMatchObject({
      ok: false,
      reason: 'not_found',
    })
    expect((await requestRow(request.id)).status).toBe('pending')
  })
})

describe('denying join requests', () => {
  it('stores the reason and audits it', async () => {
    const request = await submit()
    const result = await denyJoinRequests(t.db, context, [request.id], '  Unknown person. ')
    expect(result.ok).toBe(true)
    expect(await requestRow(request.id)).toMatchObject({
      status: 'denied',
      reason: 'Unknown person.',
    })
    const [entry] = (await auditEntries(t.db, 'join_request.deny')).filter(
      (e) => e.target_id === request.id,
    )
    expect(entry.after).toEqual({ status: 'denied', reason: 'Unknown person.' })
  })

  it('needs a reason', async () => {
    const request = await submit()
    expect(await denyJoinRequests(t.db, context, [request.id], '   ')).toEqual({
      ok: false,
      reason: 'reason_required',
    })
    expect((await requestRow(request.id)).status).toBe('pending')
  })
})

describe('listing join requests', () => {
  it('shows pending first, then newest, narrowed by the scope', async () => {
    const other = await createTenant(t.db)
    const decided = await submit(freshEmail(), other.id)
    await denyJoinRequests(t.db, context, [decided.id], 'No.')
    const pending = await submit(freshEmail(), other.id)
    const { items, total } = await listJoinRequests(t.db, { tenantId: other.id }, {})
    expect(total).toBe(2)
    expect(items.map((i) => i.id)).toEqual([pending.id, decided.id])
    expect(items[0]).toMatchObject({ tenantSlug: other.slug, status: 'pending' })
    const all = await listJoinRequests(t.db, ALL_TENANTS, { status: 'denied' })
    expect(all.items.every((i) => i.status === 'denied')).toBe(true)
  })

  it('counts up to the cap and then says there are more', async () => {
    const big = await createTenant(t.db)
    await sql`insert into join_requests (id, email, tenant_id, status, created_at)
      select gen_random_uuid(), 'bulk' || g || '@example.org', ${big.id}, 'pending', now()
      from generate_series(1, ${JOIN_REQUEST_COUNT_CAP + 1}) g`.execute(t.db)
    const list = await listJoinRequests(t.db, { tenantId: big.id }, { perPage: 50 })
    expect(list).toMatchObject({ total: JOIN_REQUEST_COUNT_CAP, capped: true })
    expect(list.items).toHaveLength(50)
  })

  it('filters by age', async () => {
    const { items } = await listJoinRequests(t.db, ALL_TENANTS, {
      olderThanDays: 1,
      now: new Date(Date.now() + 2 * 86_400_000),
    })
    expect(items.length).toBeGreaterThan(0)
    const none = await listJoinRequests(t.db, ALL_TENANTS, { olderThanDays: 7 })
    expect(none.total).toBe(0)
  })
})

describe('email domains', () => {
  it('reads the domain of an address in lower case', () => {
    expect(emailDomain('Ann@Acme.COM')).toBe('acme.com')
  })

  it('accepts hostnames and refuses the rest', () => {
    expect(normaliseDomain(' Acme.Example. ')).toBe('acme.example')
    for (const bad of ['acme', '-acme.com', 'acme..com', '10.0.0.1', 'a b.com', 'ac_me.com', ''])
      expect(normaliseDomain(bad), bad).toBeUndefined()
  })
})
