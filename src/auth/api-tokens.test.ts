import { describe, expect, it } from 'vitest'
import type { AuditContext } from '../db/audit-log.js'
import { createSuperAdmin } from '../test-support/factories.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { checkApiTokenInput, createApiToken, revokeApiToken } from './api-tokens.js'
import { parseSplitToken, secretMatches } from './tokens.js'
import type { OperatorRole } from '../db/schema.js'

const t = useTestDatabase()
const DAY = 24 * 60 * 60 * 1000
const now = new Date('2026-12-01T12:00:00Z')

async function operator(role: OperatorRole = 'owner') {
  return (await createSuperAdmin(t.db, testConfig(), { role })).admin
}

function ctx(actor: { id: string; email: string }): AuditContext {
  return { actor, requestId: 'req-test', ip: '203.0.113.7', userAgent: null }
}

function auditEntries(action: string, targetId: string) {
  return t.db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', action)
    .where('target_id', '=', targetId)
    .execute()
}

describe('checkApiTokenInput', () => {
  const base = { name: 'terraform', permissions: ['saas.tenants.view'], stepUp: false }

  it('refuses a permission the role does not hold: a token never carries more than its creator', async () => {
    const viewer = await operator('viewer')
    const result = checkApiTokenInput(
      {
        ...base,
        operator: viewer,
        permissions: ['saas.tenants.view', 'saas.tenants.create'],
        expiresInDays: 30,
      },
      now,
    )
    expect(result).toEqual({
      ok: false,
      errors: [{ field: 'permissions', message: expect.stringContaining('saas.tenants.create') }],
    })
  })

  it('refuses no permission and an unknown permission', async () => {
    const owner = await operator()
    const none = checkApiTokenInput(
      { ...base, operator: owner, permissions: [], expiresInDays: 30 },
      now,
    )
    const unknown = checkApiTokenInput(
      { ...base, operator: owner, permissions: ['saas.everything'], expiresInDays: 30 },
      now,
    )
    expect(none.ok || none.errors.map((e) => e.field)).toEqual(['permissions'])
    expect(unknown.ok || unknown.errors[0].message).toMatch(/Unknown permission/)
  })

  it('requires an expiry, in the future, at most 365 days away', async () => {
    const owner = await operator()
    const fields = (input: { expiresInDays?: number; expiresAt?: Date }) => {
      const r = checkApiTokenInput({ ...base, operator: owner, ...input }, now)
      return r.ok ? [] : r.errors.map((e) => `${e.field}: ${e.message}`)
    }
    expect(fields({})).toEqual(['expiresAt: Choose when the token expires.'])
    expect(fields({ expiresAt: new Date(now.getTime() - 1) })).toEqual([
      'expiresAt: Choose an expiry in the future.',
    ])
    expect(fields({ expiresInDays: 366 })).toEqual([
      'expiresAt: A token may live at most one year (365 days).',
    ])
    expect(fields({ expiresAt: new Date(now.getTime() + 365 * DAY + 1) })).toHaveLength(1)
    expect(fields({ expiresInDays: 365 })).toEqual([])
    expect(fields({ expiresAt: new Date(now.getTime() + 1000) })).toEqual([])
  })

  it('requires a name of 1 to 80 characters, trimmed', async () => {
    const owner = await operator()
    const check = (name: string) =>
      checkApiTokenInput({ ...base, operator: owner, name, expiresInDays: 7 }, now)
    expect(check('   ').ok).toBe(false)
    expect(check('x'.repeat(81)).ok).toBe(false)
    expect(check(` ${'x'.repeat(80)} `)).toMatchObject({ ok: true, name: 'x'.repeat(80) })
  })

  it('keeps the permissions once each, in the table order', async () => {
    const owner = await operator()
    const result = checkApiTokenInput(
      {
        ...base,
        operator: owner,
        permissions: ['saas.tenants.create', 'saas.tenants.view', 'saas.tenants.create'],
        expiresInDays: 7,
      },
      now,
    )
    expect(result).toMatchObject({
      ok: true,
      permissions: ['saas.tenants.view', 'saas.tenants.create'],
    })
  })
})

describe('createApiToken', () => {
  it('stores only sha256 of the secret, and audits api_token.create without it', async () => {
    const owner = await operator()
    const result = await createApiToken(
      t.db,
      ctx(owner),
      {
        operator: owner,
        name: 'terraform',
        permissions: ['saas.tenants.view'],
        expiresInDays: 90,
        stepUp: true,
      },
      now,
    )
    if (!result.ok) throw new Error('refused')
    expect(result.token).toMatch(/^fdt_[a-z2-7]{32}\.[a-z2-7]{32}$/)
    const parsed = parseSplitToken(result.token.slice(4))!
    const row = await t.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', result.id)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      super_admin_id: owner.id,
      name: 'terraform',
      permissions: ['saas.tenants.view'],
      step_up: true,
      expires_at: new Date(now.getTime() + 90 * DAY),
    })
    expect(secretMatches(parsed.secret, row.secret_hash)).toBe(true)
    expect(Buffer.from(row.secret_hash).toString()).not.toContain(parsed.secret)
    const [entry] = await auditEntries('api_token.create', result.id)
    expect(entry.after).toEqual({
      id: result.id,
      name: 'terraform',
      permissions: ['saas.tenants.view'],
      expiresAt: new Date(now.getTime() + 90 * DAY).toISOString(),
      stepUp: true,
    })
    expect(JSON.stringify(entry)).not.toContain(parsed.secret)
  })

  it('refuses a name the operator already uses for a live token, but not one that was revoked or another operator’s', async () => {
    const [alice, bob] = [await operator('admin'), await operator('admin')]
    const input = {
      name: 'CI',
      permissions: ['saas.tenants.view'],
      expiresInDays: 30,
      stepUp: false,
    }
    const first = await createApiToken(t.db, ctx(alice), { ...input, operator: alice }, now)
    const again = await createApiToken(
      t.db,
      ctx(alice),
      { ...input, name: 'ci', operator: alice },
      now,
    )
    expect(again).toEqual({
      ok: false,
      errors: [{ field: 'name', message: expect.stringMatching(/already/) }],
    })
    expect((await createApiToken(t.db, ctx(bob), { ...input, operator: bob }, now)).ok).toBe(true)
    if (!first.ok) throw new Error('refused')
    await revokeApiToken(t.db, ctx(alice), { tokenId: first.id, by: alice }, now)
    expect((await createApiToken(t.db, ctx(alice), { ...input, operator: alice }, now)).ok).toBe(
      true,
    )
  })

  it('writes nothing when refused', async () => {
    const viewer = await operator('viewer')
    const result = await createApiToken(
      t.db,
      ctx(viewer),
      {
        operator: viewer,
        name: 'x',
        permissions: ['saas.tenants.delete'],
        expiresInDays: 30,
        stepUp: false,
      },
      now,
    )
    expect(result.ok).toBe(false)
    const rows = await t.db
      .selectFrom('api_tokens')
      .select('id')
      .where('super_admin_id', '=', viewer.id)
      .execute()
    expect(rows).toEqual([])
  })
})

describe('revokeApiToken', () => {
  async function tokenOf(who: Awaited<ReturnType<typeof operator>>) {
    const r = await createApiToken(
      t.db,
      ctx(who),
      {
        operator: who,
        name: `t-${Math.random()}`,
        permissions: ['saas.tenants.view'],
        expiresInDays: 30,
        stepUp: false,
      },
      now,
    )
    if (!r.ok) throw new Error('refused')
    return r.id
  }

  it('lets the token’s owner revoke it, once, with before and after in the audit log', async () => {
    const admin = await operator('admin')
    const id = await tokenOf(admin)
    const later = new Date(now.getTime() + 1000)
    expect(await revokeApiToken(t.db, ctx(admin), { tokenId: id, by: admin }, later)).toMatchObject(
      { ok: true },
    )
    expect(await revokeApiToken(t.db, ctx(admin), { tokenId: id, by: admin }, later)).toEqual({
      ok: false,
      reason: 'already_revoked',
    })
    const row = await t.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({ revoked_at: later, revoked_by: admin.id })
    const entries = await auditEntries('api_token.revoke', id)
    expect(entries).toHaveLength(1)
    expect(entries[0].before).toMatchObject({ revokedAt: null })
    expect(entries[0].after).toMatchObject({ revokedAt: later.toISOString() })
  })

  it('refuses a non-owner revoking someone else’s token; an owner may', async () => {
    const [admin, other, owner] = [
      await operator('admin'),
      await operator('admin'),
      await operator('owner'),
    ]
    const id = await tokenOf(other)
    expect(await revokeApiToken(t.db, ctx(admin), { tokenId: id, by: admin }, now)).toEqual({
      ok: false,
      reason: 'forbidden',
    })
    expect((await auditEntries('api_token.revoke', id)).length).toBe(0)
    expect(await revokeApiToken(t.db, ctx(owner), { tokenId: id, by: owner }, now)).toMatchObject({
      ok: true,
    })
  })

  it('answers not_found for an unknown id', async () => {
    const owner = await operator()
    expect(await revokeApiToken(t.db, ctx(owner), { tokenId: 'nope', by: owner }, now)).toEqual({
      ok: false,
      reason: 'not_found',
    })
  })
})
