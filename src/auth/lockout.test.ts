import { describe, expect, it } from 'vitest'
import { createSuperAdmin } from '../test-support/factories.js'
import { testConfig } from '../test-support/test-app.js'
import { admitAttempt, isLocked, lockSecondsFor, resetFailures } from './lockout.js'
import { useTestDatabase } from '../test-support/test-app.js'

const t = useTestDatabase()

const MINUTE = 60_000

async function newAdminId(): Promise<string> {
  return (await createSuperAdmin(t.db, testConfig())).admin.id
}

function counters(id: string) {
  return t.db
    .selectFrom('super_admins')
    .select(['failed_password_count', 'failed_totp_count', 'locked_until'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
}

describe('lockSecondsFor', () => {
  it('does not lock below five consecutive failures', () => {
    expect([0, 1, 4].map(lockSecondsFor)).toEqual([0, 0, 0])
  })

  it('locks 15 minutes from 5, 1 hour from 10 and 24 hours from 20 failures', () => {
    expect([5, 9, 10, 19, 20, 500].map(lockSecondsFor)).toEqual([
      900, 900, 3600, 3600, 86_400, 86_400,
    ])
  })
})

describe('isLocked', () => {
  const now = new Date('2026-01-01T12:00:00Z')

  it('is locked only while locked_until is in the future', () => {
    expect(isLocked(null, now)).toBe(false)
    expect(isLocked(new Date(now.getTime() - 1), now)).toBe(false)
    expect(isLocked(now, now)).toBe(false)
    expect(isLocked(new Date(now.getTime() + 1), now)).toBe(true)
  })
})

describe('admitAttempt', () => {
  it('admits and counts four attempts without locking; the fifth is admitted and starts a 15-minute lock', async () => {
    const id = await newAdminId()
    const now = new Date()

    const results = []
    for (let i = 0; i < 5; i++) results.push(await admitAttempt(t.db, id, 'password', now))

    expect(results.map((r) => r.failures)).toEqual([1, 2, 3, 4, 5])
    expect(results.every((r) => r.admitted)).toBe(true)
    expect(results.slice(0, 4).every((r) => r.lockedUntil === null && !r.lockExtended)).toBe(true)
    expect(results[4]).toMatchObject({
      lockedUntil: new Date(now.getTime() + 15 * MINUTE),
      lockExtended: true,
    })
    expect(await counters(id)).toEqual({
      failed_password_count: 5,
      failed_totp_count: 0,
      locked_until: new Date(now.getTime() + 15 * MINUTE),
    })
  })

  it('refuses attempts during a lock but counts them: the tenth locks for an hour, the twentieth for 24 hours', async () => {
    const id = await newAdminId()
    const now = new Date()

    const results = []
    for (let i = 1; i <= 20; i++) results.push(await admitAttempt(t.db, id, 'totp', now))

    expect(results.map((r) => r.admitted)).toEqual([
      ...Array(5).fill(true),
      ...Array(15).fill(false),
    ])
    expect(results[9]).toMatchObject({
      lockedUntil: new Date(now.getTime() + 60 * MINUTE),
      lockExtended: true,
    })
    expect(results[10].lockExtended).toBe(false)
    expect(results[19]).toMatchObject({
      failures: 20,
      lockedUntil: new Date(now.getTime() + 24 * 60 * MINUTE),
      lockExtended: true,
    })
  })

  it('counts password and TOTP attempts separately: four of each do not lock', async () => {
    const id = await newAdminId()
    const now = new Date()

    for (let i = 0; i < 4; i++) {
      await admitAttempt(t.db, id, 'password', now)
      await admitAttempt(t.db, id, 'totp', now)
    }

    expect(await counters(id)).toEqual({
      failed_password_count: 4,
      failed_totp_count: 4,
      locked_until: null,
    })
  })

  it('twenty attempts sent in parallel count as twenty, only five are admitted, and the lock is 24 hours', async () => {
    const id = await newAdminId()
    const now = new Date()

    const results = await Promise.all(
      Array.from({ length: 20 }, () => admitAttempt(t.db, id, 'password', now)),
    )

    expect(results.map((r) => r.failures).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    )
    expect(results.filter((r) => r.admitted)).toHaveLength(5)
    expect(await counters(id)).toEqual({
      failed_password_count: 20,
      failed_totp_count: 0,
      locked_until: new Date(now.getTime() + 24 * 60 * MINUTE),
    })
  })

  it('an attempt after the lock has run out is admitted and locks again from then (attempts stay consecutive)', async () => {
    const id = await newAdminId()
    const start = new Date()
    for (let i = 0; i < 5; i++) await admitAttempt(t.db, id, 'password', start)

    const later = new Date(start.getTime() + 16 * MINUTE)
    const sixth = await admitAttempt(t.db, id, 'password', later)

    expect(sixth).toEqual({
      admitted: true,
      failures: 6,
      lockedUntil: new Date(later.getTime() + 15 * MINUTE),
      lockExtended: true,
    })
  })

  it('never shortens a longer lock', async () => {
    const id = await newAdminId()
    const now = new Date()
    for (let i = 0; i < 10; i++) await admitAttempt(t.db, id, 'password', now)
    const totp = []
    for (let i = 0; i < 5; i++) totp.push(await admitAttempt(t.db, id, 'totp', now))

    expect(totp[4]).toMatchObject({
      admitted: false,
      lockedUntil: new Date(now.getTime() + 60 * MINUTE),
      lockExtended: false,
    })
  })

  it('an unknown admin id changes nothing and admits nothing', async () => {
    const result = await admitAttempt(t.db, crypto.randomUUID(), 'password', new Date())

    expect(result).toEqual({ admitted: false, failures: 0, lockedUntil: null, lockExtended: false })
  })
})

describe('resetFailures', () => {
  it('a password success clears the password counter and the lock; the TOTP counter stays', async () => {
    const id = await newAdminId()
    const now = new Date()
    for (let i = 0; i < 5; i++) await admitAttempt(t.db, id, 'password', now)
    await admitAttempt(t.db, id, 'totp', now)

    await resetFailures(t.db, id, ['password'])

    expect(await counters(id)).toEqual({
      failed_password_count: 0,
      failed_totp_count: 1,
      locked_until: null,
    })
  })

  it('a full sign-in clears both counters and the lock', async () => {
    const id = await newAdminId()
    const now = new Date()
    for (let i = 0; i < 5; i++) await admitAttempt(t.db, id, 'totp', now)
    await admitAttempt(t.db, id, 'password', now)

    await resetFailures(t.db, id, ['password', 'totp'])

    expect(await counters(id)).toEqual({
      failed_password_count: 0,
      failed_totp_count: 0,
      locked_until: null,
    })
  })
})
