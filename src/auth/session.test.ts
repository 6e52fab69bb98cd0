import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { insertSuperAdmin } from '../db/super-admins.js'
import {
  createSession,
  invalidateSession,
  invalidateSuperAdminSessions,
  validateSessionToken,
  type SessionPolicy,
} from './session.js'
import { generateSplitToken, hashSecret } from './tokens.js'
import { useTestDatabase } from '../test-support/test-app.js'

const t = useTestDatabase()

/** 30 minutes idle, 12 hours absolute: the defaults of SESSION_IDLE_MINUTES and _ABSOLUTE_HOURS. */
const policy: SessionPolicy = { idleSeconds: 30 * 60, absoluteSeconds: 12 * 3600 }
const T0 = new Date('2026-03-02T09:00:00.000Z')

function after(seconds: number, from: Date = T0): Date {
  return new Date(from.getTime() + seconds * 1000)
}

function createAdmin() {
  return insertSuperAdmin(t.db, {
    email: `admin-${crypto.randomUUID()}@example.com`,
    name: 'Ada Admin',
    role: 'admin',
  })
}

async function signIn(now: Date = T0, details = { twoFactorVerified: true }) {
  const admin = await createAdmin()
  const { token, session } = await createSession(t.db, admin.id, details, now)
  return { admin, token, session }
}

function findSessionRow(id: string) {
  return t.db.selectFrom('super_admin_sessions').selectAll().where('id', '=', id).executeTakeFirst()
}

describe('createSession', () => {
  it('stores only the sha256 of the secret, with the sign-in details', async () => {
    const admin = await createAdmin()
    const { token, session } = await createSession(
      t.db,
      admin.id,
      { twoFactorVerified: true, ip: '203.0.113.9', userAgent: 'x'.repeat(500) },
      T0,
    )
    const [id, secret] = token.split('.')

    const row = await findSessionRow(session.id)
    expect(session.id).toBe(id)
    expect(row).toEqual({
      id,
      super_admin_id: admin.id,
      secret_hash: Buffer.from(hashSecret(secret)),
      two_factor_verified: true,
      created_at: T0,
      last_active_at: T0,
      totp_verified_at: T0,
      ip: '203.0.113.9',
      user_agent: 'x'.repeat(400),
    })
    expect(JSON.stringify(row)).not.toContain(secret)
  })

  it('leaves totp_verified_at empty after the password step alone', async () => {
    const { session } = await signIn(T0, { twoFactorVerified: false })

    const row = await findSessionRow(session.id)
    expect(row?.two_factor_verified).toBe(false)
    expect(row?.totp_verified_at).toBeNull()
    expect(row?.ip).toBeNull()
    expect(row?.user_agent).toBeNull()
  })
})

describe('validateSessionToken', () => {
  it('returns the admin and the session for the token just created', async () => {
    const { admin, token, session } = await signIn()

    const result = await validateSessionToken(t.db, token, policy, { touch: true, now: after(5) })

    expect(result?.admin).toEqual(admin)
    expect(result?.session).toEqual(session)
  })

  it('returns nothing for the right id with a wrong secret, and keeps the row', async () => {
    const { token, session } = await signIn()
    const wrong = `${session.id}.${generateSplitToken().secret}`

    expect(
      await validateSessionToken(t.db, wrong, policy, { touch: true, now: after(5) }),
    ).toBeUndefined()
    expect(await findSessionRow(session.id)).toBeDefined()
    expect(
      await validateSessionToken(t.db, token, policy, { touch: true, now: after(5) }),
    ).toBeDefined()
  })

  it('returns nothing for an unknown id', async () => {
    await signIn()

    expect(
      await validateSessionToken(t.db, generateSplitToken().token, policy, {
        touch: true,
        now: after(5),
      }),
    ).toBeUndefined()
  })

  it.each([
    ['an empty token', ''],
    ['an id alone', 'a'.repeat(32)],
    ['upper case', `${'A'.repeat(32)}.${'B'.repeat(32)}`],
    ['a SQL fragment', "' or 1=1 --.x"],
  ])('returns nothing for a malformed token: %s', async (_what, token) => {
    await signIn()

    expect(
      await validateSessionToken(t.db, token, policy, { touch: true, now: after(5) }),
    ).toBeUndefined()
  })

  it('keeps a session until the idle limit and ends it exactly there, deleting the row', async () => {
    const { token, session } = await signIn()

    expect(
      await validateSessionToken(t.db, token, policy, { touch: false, now: after(30 * 60 - 1) }),
    ).toBeDefined()
    expect(
      await validateSessionToken(t.db, token, policy, { touch: false, now: after(30 * 60) }),
    ).toBeUndefined()
    expect(await findSessionRow(session.id)).toBeUndefined()
  })

  it('stays gone after an idle expiry, even for a time inside the limit', async () => {
    const { token } = await signIn()
    await validateSessionToken(t.db, token, policy, { touch: false, now: after(31 * 60) })

    expect(
      await validateSessionToken(t.db, token, policy, { touch: true, now: after(60) }),
    ).toBeUndefined()
  })

  it('ends a session at the absolute limit however active it was, deleting the row', async () => {
    const { token, session } = await signIn()
    for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
      const now = after(minutes * 60)
      const result = await validateSessionToken(t.db, token, policy, { touch: true, now })
      expect(result?.session.lastActiveAt).toEqual(now)
    }
    expect((await findSessionRow(session.id))?.last_active_at).toEqual(after((12 * 60 - 20) * 60))

    expect(
      await validateSessionToken(t.db, token, policy, { touch: true, now: after(12 * 3600) }),
    ).toBeUndefined()
    expect(await findSessionRow(session.id)).toBeUndefined()
  })

  it('with touch: false never moves last_active_at, so polling cannot keep a session alive', async () => {
    const { token, session } = await signIn()

    const result = await validateSessionToken(t.db, token, policy, {
      touch: false,
      now: after(20 * 60),
    })

    expect(result?.session.lastActiveAt).toEqual(T0)
    expect((await findSessionRow(session.id))?.last_active_at).toEqual(T0)
    expect(
      await validateSessionToken(t.db, token, policy, { touch: false, now: after(30 * 60) }),
    ).toBeUndefined()
  })

  it('with touch: true moves last_active_at once a minute has passed, extending the idle window', async () => {
    const { token, session } = await signIn()

    await validateSessionToken(t.db, token, policy, { touch: true, now: after(60) })
    expect((await findSessionRow(session.id))?.last_active_at).toEqual(after(60))

    await validateSessionToken(t.db, token, policy, { touch: true, now: after(20 * 60) })
    expect((await findSessionRow(session.id))?.last_active_at).toEqual(after(20 * 60))
    expect(
      await validateSessionToken(t.db, token, policy, { touch: false, now: after(45 * 60) }),
    ).toBeDefined()
  })

  it('with touch: true writes nothing within a minute of the last write', async () => {
    const { token, session } = await signIn()

    const result = await validateSessionToken(t.db, token, policy, { touch: true, now: after(59) })

    expect(result?.session.lastActiveAt).toEqual(T0)
    expect((await findSessionRow(session.id))?.last_active_at).toEqual(T0)
  })

  it('touches by default when no options are given', async () => {
    const { token, session } = await signIn(new Date(Date.now() - 5 * 60_000))

    expect(await validateSessionToken(t.db, token, policy)).toBeDefined()
    const lastActive = (await findSessionRow(session.id))!.last_active_at.getTime()
    expect(Math.abs(lastActive - Date.now())).toBeLessThan(10_000)
  })

  it('returns nothing for a deactivated admin and deletes the session', async () => {
    const { admin, token, session } = await signIn()
    await t.db
      .updateTable('super_admins')
      .set({ is_active: false })
      .where('id', '=', admin.id)
      .execute()

    expect(
      await validateSessionToken(t.db, token, policy, { touch: true, now: after(5) }),
    ).toBeUndefined()
    expect(await findSessionRow(session.id)).toBeUndefined()
  })
})

describe('invalidateSession', () => {
  it('deletes that session only', async () => {
    const { admin, token, session } = await signIn()
    const other = await createSession(t.db, admin.id, { twoFactorVerified: true }, T0)

    await invalidateSession(t.db, session.id)

    expect(await findSessionRow(session.id)).toBeUndefined()
    expect(await findSessionRow(other.session.id)).toBeDefined()
    expect(
      await validateSessionToken(t.db, token, policy, { touch: true, now: after(5) }),
    ).toBeUndefined()
  })
})

describe('invalidateSuperAdminSessions', () => {
  it("deletes every session of that admin and no one else's", async () => {
    const { admin } = await signIn()
    await createSession(t.db, admin.id, { twoFactorVerified: false }, T0)
    await createSession(t.db, admin.id, { twoFactorVerified: true }, after(60))
    const bystander = await signIn()

    expect(await invalidateSuperAdminSessions(t.db, admin.id)).toBe(3)

    const remaining = await t.db
      .selectFrom('super_admin_sessions')
      .select(['super_admin_id', sql<number>`count(*)::int`.as('n')])
      .where('super_admin_id', 'in', [admin.id, bystander.admin.id])
      .groupBy('super_admin_id')
      .execute()
    expect(remaining).toEqual([{ super_admin_id: bystander.admin.id, n: 1 }])
    expect(
      await validateSessionToken(t.db, bystander.token, policy, { touch: true, now: after(5) }),
    ).toBeDefined()
  })

  it('answers 0 for an admin without sessions', async () => {
    const admin = await createAdmin()

    expect(await invalidateSuperAdminSessions(t.db, admin.id)).toBe(0)
  })
})

describe('deleteExpiredSessions', () => {
  it('deletes sessions past the idle or the absolute limit and keeps live ones', async () => {
    const { deleteExpiredSessions, countAllSessions } = await import('./session.js')
    const { createSuperAdmin } = await import('../test-support/factories.js')
    const { testConfig } = await import('../test-support/test-app.js')
    const who = await createSuperAdmin(t.db, testConfig())
    const policy = { idleSeconds: 1800, absoluteSeconds: 12 * 3600 }
    const now = new Date('2030-01-01T12:00:00Z')
    const live = await createSession(
      t.db,
      who.admin.id,
      { twoFactorVerified: true },
      new Date(now.getTime() - 60_000),
    )
    const idle = await createSession(
      t.db,
      who.admin.id,
      { twoFactorVerified: true },
      new Date(now.getTime() - 31 * 60_000),
    )
    const before = await countAllSessions(t.db, policy, now)

    await deleteExpiredSessions(t.db, policy, now)

    const ids = (
      await t.db
        .selectFrom('super_admin_sessions')
        .select('id')
        .where('super_admin_id', '=', who.admin.id)
        .execute()
    ).map((r) => r.id)
    expect(ids).toEqual([live.session.id])
    expect(ids).not.toContain(idle.session.id)
    expect(await countAllSessions(t.db, policy, now)).toBe(before)
  })
})
