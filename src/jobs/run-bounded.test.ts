import { describe, expect, it } from 'vitest'
import { runBounded } from './run-bounded.js'

const tick = () => new Promise((resolve) => setTimeout(resolve, 2))

describe('runBounded', () => {
  it('never runs more than the given number of items at once, and returns results in order', async () => {
    let inFlight = 0
    let peak = 0

    const results = await runBounded([...Array(20).keys()], 3, async (item) => {
      peak = Math.max(peak, ++inFlight)
      await tick()
      inFlight--
      return item * 2
    })

    expect(peak).toBe(3)
    expect(results).toEqual([...Array(20).keys()].map((i) => i * 2))
  })

  it('starts no new item after a failure and throws the first error', async () => {
    const started: number[] = []

    const run = runBounded([...Array(50).keys()], 2, async (item) => {
      started.push(item)
      await tick()
      if (item === 3) throw new Error('boom')
    })

    await expect(run).rejects.toThrow('boom')
    expect(started.length).toBeLessThan(10)
  })

  it('handles no items, and more workers than items', async () => {
    expect(await runBounded([], 4, async () => 1)).toEqual([])
    expect(await runBounded(['a'], 8, async (item) => item.toUpperCase())).toEqual(['A'])
  })

  it('refuses a concurrency that is not a whole number ≥ 1', async () => {
    await expect(runBounded([1], 0, async () => 1)).rejects.toThrow(RangeError)
    await expect(runBounded([1], 1.5, async () => 1)).rejects.toThrow(RangeError)
  })
})
