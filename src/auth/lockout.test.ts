import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../db/database.js'
import { openTestDatabase } from '../db/test-database.js'
import { createSuperAdmin, testConfig } from '../test-support/factories.js'
import { isLocked, lockSecondsFor, recordFailure, resetFailures } from './lockout.js'

let database: DatabaseHandle

beforeAll(async () => {
  database = await openTestDatabase()
})

afterAll(() => database?.close())

const MINUTE = 60_000

async function newAdminId(): Promise<string> {
  return (await createSuperAdmin(database.db, testConfig())).admin.id
}

function counters(id: string) {
  return database.db
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

describe('recordFailure', () => {
  it('four failures count but do not lock; the fifth locks for 15 minutes', async () => {
    const id = await newAdminId()
    const now = new Date()

    const results = []
    for (let i = 0; i < 5; i++) results.push(await recordFailure(database.db, id, 'password', now))

    expect(results.map((r) => r.failures)).toEqual([1, 2, 3, 4, 5])
    expect(results.slice(0, 4).every((r) => r.lockedUntil === null)).toBe(true)
    expect(results[4].lockedUntil).toEqual(new Date(now.getTime() + 15 * MINUTE))
    expect(await counters(id)).toEqual({
      failed_password_count: 5,
      failed_totp_count: 0,
      locked_until: new Date(now.getTime() + 15 * MINUTE),
    })
  })

  it('the tenth failure locks for an hour and the twentieth for 24 hours', async () => {
    const id = await newAdminId()
    const now = new Date()

    let last
    for (let i = 1; i <= 20; i++) {
      last = await recordFailure(database.db, id, 'totp', now)
      if (i === 10) expect(last.lockedUntil).toEqual(new Date(now.getTime() + 60 * MINUTE))
    }

    expect(last).toEqual({ failures: 20, lockedUntil: new Date(now.getTime() + 24 * 60 * MINUTE) })
  })

  it('counts password and TOTP failures separately: four of each do not lock', async () => {
    const id = await newAdminId()
    const now = new Date()

    for (let i = 0; i < 4; i++) {
      await recordFailure(database.db, id, 'password', now)
      await recordFailure(database.db, id, 'totp', now)
    }

    expect(await counters(id)).toEqual({
      failed_password_count: 4,
      failed_totp_count: 4,
      locked_until: null,
    })
  })

  it('twenty failures sent in parallel count as twenty and lock for 24 hours', async () => {
    const id = await newAdminId()
    const now = new Date()

    const results = await Promise.all(
      Array.from({ length: 20 }, () => recordFailure(database.db, id, 'password', now)),
    )

    expect(results.map((r) => r.failures).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    )
    expect(await counters(id)).toEqual({
      failed_password_count: 20,
      failed_totp_count: 0,
      locked_until: new Date(now.getTime() + 24 * 60 * MINUTE),
    })
  })

  it('a failure after the lock has run out locks again from now (failures stay consecutive)', async () => {
    const id = await newAdminId()
    const start = new Date()
    for (let i = 0; i < 5; i++) await recordFailure(database.db, id, 'password', start)

    const later = new Date(start.getTime() + 16 * MINUTE)
    const sixth = await recordFailure(database.db, id, 'password', later)

    expect(sixth).toEqual({ failures: 6, lockedUntil: new Date(later.getTime() + 15 * MINUTE) })
  })

  it('an unknown admin id changes nothing and reports no failures', async () => {
    const result = await recordFailure(database.db, crypto.randomUUID(), 'password', new Date())

    expect(result).toEqual({ failures: 0, lockedUntil: null })
  })
})

describe('resetFailures', () => {
  it('a password success clears the password counter only; the lock stays', async () => {
    const id = await newAdminId()
    const now = new Date()
    for (let i = 0; i < 5; i++) await recordFailure(database.db, id, 'password', now)
    await recordFailure(database.db, id, 'totp', now)

    await resetFailures(database.db, id, ['password'])

    expect(await counters(id)).toEqual({
      failed_password_count: 0,
      failed_totp_count: 1,
      locked_until: new Date(now.getTime() + 15 * MINUTE),
    })
  })

  it('a full sign-in clears both counters and the lock', async () => {
    const id = await newAdminId()
    const now = new Date()
    for (let i = 0; i < 5; i++) await recordFailure(database.db, id, 'totp', now)
    await recordFailure(database.db, id, 'password', now)

    await resetFailures(database.db, id, ['password', 'totp'])

    expect(await counters(id)).toEqual({
      failed_password_count: 0,
      failed_totp_count: 0,
      locked_until: null,
    })
  })
})
