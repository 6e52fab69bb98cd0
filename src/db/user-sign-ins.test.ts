import { describe, expect, it } from 'vitest'
import { createTenant, uniqueSuffix } from '../test-support/factories.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { upsertUser } from './users.js'
import { insertUserSignIns, pruneUserSignIns, recordUserSignIn } from './user-sign-ins.js'

const t = useTestDatabase()

const DAY = 86_400_000
const at = (iso: string) => new Date(iso)

async function newUser() {
  const suffix = uniqueSuffix()
  return upsertUser(t.db, `user-${suffix}@example.com`, `User ${suffix}`)
}

async function lastLoginOf(userId: string) {
  const row = await t.db
    .selectFrom('users')
    .select('last_login_at')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow()
  return row.last_login_at
}

async function signInsOf(userId: string) {
  return t.db
    .selectFrom('user_sign_ins')
    .select(['tenant_id', 'at', 'ip', 'user_agent', 'outcome', 'detail'])
    .where('user_id', '=', userId)
    .orderBy('at')
    .execute()
}

describe('recordUserSignIn', () => {
  it('stores the attempt and moves last_login_at to a success', async () => {
    const tenant = await createTenant(t.db)
    const userId = await newUser()

    await recordUserSignIn(t.db, {
      userId,
      tenantId: tenant.id,
      at: at('2026-11-20T10:00:00Z'),
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0',
      outcome: 'succeeded',
    })

    expect(await signInsOf(userId)).toEqual([
      {
        tenant_id: tenant.id,
        at: at('2026-11-20T10:00:00Z'),
        ip: '203.0.113.7',
        user_agent: 'Mozilla/5.0',
        outcome: 'succeeded',
        detail: null,
      },
    ])
    expect(await lastLoginOf(userId)).toEqual(at('2026-11-20T10:00:00Z'))
  })

  it('never moves last_login_at backwards, and failures and refusals leave it alone', async () => {
    const userId = await newUser()
    const attempt = (iso: string, outcome: 'succeeded' | 'failed' | 'refused', detail?: string) =>
      recordUserSignIn(t.db, {
        userId,
        tenantId: null,
        at: at(iso),
        ip: null,
        userAgent: null,
        outcome,
        detail,
      })

    await attempt('2026-11-20T10:00:00Z', 'succeeded')
    await attempt('2026-11-10T10:00:00Z', 'succeeded')
    await attempt('2026-11-25T10:00:00Z', 'failed', 'wrong password')
    await attempt('2026-11-26T10:00:00Z', 'refused', 'user disabled')

    expect(await lastLoginOf(userId)).toEqual(at('2026-11-20T10:00:00Z'))
    expect((await signInsOf(userId)).map((s) => [s.outcome, s.detail])).toEqual([
      ['succeeded', null],
      ['succeeded', null],
      ['failed', 'wrong password'],
      ['refused', 'user disabled'],
    ])
  })

  it('writes nothing when the user does not exist', async () => {
    const missing = crypto.randomUUID()

    await expect(
      recordUserSignIn(t.db, {
        userId: missing,
        tenantId: null,
        at: new Date(),
        ip: null,
        userAgent: null,
        outcome: 'succeeded',
      }),
    ).rejects.toThrow()
    expect(await signInsOf(missing)).toEqual([])
  })
})

describe('pruneUserSignIns', () => {
  it('deletes the sign-ins older than the cut-off, keeps the rest and last_login_at', async () => {
    const userId = await newUser()
    const now = at('2026-11-30T12:00:00Z')
    const ages = [200, 181, 179, 1]
    await insertUserSignIns(
      t.db,
      ages.map((days) => ({
        userId,
        tenantId: null,
        at: new Date(now.getTime() - days * DAY),
        ip: '198.51.100.1',
        userAgent: 'curl/8',
        outcome: 'succeeded' as const,
      })),
    )
    await recordUserSignIn(t.db, {
      userId,
      tenantId: null,
      at: new Date(now.getTime() - 190 * DAY),
      ip: null,
      userAgent: null,
      outcome: 'succeeded',
    })

    const pruned = await pruneUserSignIns(t.db, new Date(now.getTime() - 180 * DAY))

    expect(pruned).toBe(3)
    const left = await signInsOf(userId)
    expect(left.map((s) => (now.getTime() - s.at.getTime()) / DAY)).toEqual([179, 1])
    expect(await lastLoginOf(userId)).toEqual(new Date(now.getTime() - 190 * DAY))
  })
})
