import { describe, expect, it } from 'vitest'
import {
  hitRateLimit,
  hitRateLimitLightly,
  peekRateLimit,
  pruneRateLimits,
  releaseRateLimit,
} from './rate-limits.js'
import { useTestDatabase } from '../test-support/test-app.js'

const t = useTestDatabase()

const WINDOW = 15 * 60
/** The start of a 15-minute window, so tests control where windows end. */
const windowStart = new Date('2026-03-01T10:00:00Z')
const at = (seconds: number) => new Date(windowStart.getTime() + seconds * 1000)

let n = 0
const newKey = () => `test:${++n}:${Math.random()}`

describe('hitRateLimit', () => {
  it('counts hits within one window, this one included', async () => {
    const key = newKey()

    const hits = [
      await hitRateLimit(t.db, key, WINDOW, at(0)),
      await hitRateLimit(t.db, key, WINDOW, at(60)),
      await hitRateLimit(t.db, key, WINDOW, at(WINDOW - 1)),
    ]

    expect(hits).toEqual([1, 2, 3])
  })

  it('starts again from one in the next window', async () => {
    const key = newKey()
    await hitRateLimit(t.db, key, WINDOW, at(10))
    await hitRateLimit(t.db, key, WINDOW, at(20))

    expect(await hitRateLimit(t.db, key, WINDOW, at(WINDOW))).toBe(1)
  })

  it('keeps keys apart', async () => {
    const [a, b] = [newKey(), newKey()]
    await hitRateLimit(t.db, a, WINDOW, at(0))

    expect(await hitRateLimit(t.db, b, WINDOW, at(0))).toBe(1)
  })

  it('fifty hits sent in parallel count as fifty, each seeing its own number', async () => {
    const key = newKey()

    const hits = await Promise.all(
      Array.from({ length: 50 }, () => hitRateLimit(t.db, key, WINDOW, at(5))),
    )

    expect(hits.sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    expect(await peekRateLimit(t.db, key, WINDOW, at(5))).toBe(50)
  })
})

describe('peekRateLimit', () => {
  it('reads the hits of the current window without counting one', async () => {
    const key = newKey()
    await hitRateLimit(t.db, key, WINDOW, at(0))

    expect(await peekRateLimit(t.db, key, WINDOW, at(30))).toBe(1)
    expect(await peekRateLimit(t.db, key, WINDOW, at(30))).toBe(1)
    expect(await peekRateLimit(t.db, key, WINDOW, at(WINDOW))).toBe(0)
    expect(await peekRateLimit(t.db, newKey(), WINDOW, at(0))).toBe(0)
  })
})

describe('releaseRateLimit', () => {
  it('takes back one hit of the current window', async () => {
    const key = newKey()
    await hitRateLimit(t.db, key, WINDOW, at(0))
    await hitRateLimit(t.db, key, WINDOW, at(0))

    await releaseRateLimit(t.db, key, WINDOW, at(30))

    expect(await peekRateLimit(t.db, key, WINDOW, at(30))).toBe(1)
  })

  it('never goes below zero, and leaves other windows and unknown keys alone', async () => {
    const key = newKey()
    await hitRateLimit(t.db, key, WINDOW, at(0))

    await releaseRateLimit(t.db, key, WINDOW, at(0))
    await releaseRateLimit(t.db, key, WINDOW, at(0))
    await releaseRateLimit(t.db, key, WINDOW, at(WINDOW))
    await releaseRateLimit(t.db, newKey(), WINDOW, at(0))

    expect(await peekRateLimit(t.db, key, WINDOW, at(0))).toBe(0)
    expect(await hitRateLimit(t.db, key, WINDOW, at(0))).toBe(1)
  })
})

describe('pruneRateLimits', () => {
  it('deletes windows that started more than a day before, and keeps the rest', async () => {
    const [old, recent] = [newKey(), newKey()]
    await hitRateLimit(t.db, old, WINDOW, at(0))
    await hitRateLimit(t.db, recent, WINDOW, at(WINDOW))

    await pruneRateLimits(t.db, at(86_400 + 1))

    expect(await peekRateLimit(t.db, old, WINDOW, at(0))).toBe(0)
    expect(await peekRateLimit(t.db, recent, WINDOW, at(WINDOW))).toBe(1)
  })
})

describe('hitRateLimitLightly', () => {
  it('counts like hitRateLimit, in a commit of its own', async () => {
    const key = newKey()

    await hitRateLimitLightly(t.db, key, WINDOW, at(0))
    const second = await hitRateLimitLightly(t.db, key, WINDOW, at(1))

    expect(second).toBe(2)
    expect(await peekRateLimit(t.db, key, WINDOW, at(2))).toBe(2)
  })

  it('refuses to run inside a transaction, whose own commit it would make asynchronous', async () => {
    await expect(
      t.db.transaction().execute((trx) => hitRateLimitLightly(trx, newKey(), WINDOW, at(0))),
    ).rejects.toThrow(/must not run inside a transaction/)
  })
})
