import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { entitlementsOf } from './entitlements.js'
import type { Quotas } from './types.js'

const plan = { id: 'pro', name: 'Professional' }
const of = (quotas: Partial<Quotas>) =>
  entitlementsOf({
    plan,
    quotas: {
      members: null,
      storage: null,
      custom_domains: null,
      api_calls_per_day: null,
      ...quotas,
    },
  })

describe('entitlements (seed 002)', () => {
  it('allows adding up to the limit and not one past it', () => {
    const e = of({ members: 3 })
    expect(e.canAdd('members', 2)).toBe(true)
    expect(e.canAdd('members', 3)).toBe(false)
    expect(e.canAdd('members', 1, 2)).toBe(true)
    expect(e.canAdd('members', 1, 3)).toBe(false)
  })

  it('treats a null limit as unlimited', () => {
    const e = of({ storage: null })
    expect(e.canAdd('storage', 10 ** 15, 10 ** 12)).toBe(true)
    expect(e.remaining('storage', 5)).toBeNull()
  })

  it('blocks additions once a tightened quota is below what exists, and reports nothing remaining', () => {
    const e = of({ members: 5 })
    expect(e.canAdd('members', 8)).toBe(false)
    expect(e.remaining('members', 8)).toBe(0)
    expect(e.remaining('members', 2)).toBe(3)
  })

  it('a limit of zero allows nothing', () => {
    expect(of({ custom_domains: 0 }).canAdd('custom_domains', 0)).toBe(false)
  })

  it('exposes the plan and quotas it was given', () => {
    const e = of({ members: 25 })
    expect(e.plan).toEqual(plan)
    expect(e.quotas.members).toBe(25)
  })

  it('canAdd is exactly "current + adding fits", and agrees with remaining', () => {
    fc.assert(
      fc.property(
        fc.option(fc.nat(1000), { nil: null }),
        fc.nat(2000),
        fc.integer({ min: 1, max: 50 }),
        (limit, current, adding) => {
          const e = of({ members: limit })
          const fits = limit === null || current + adding <= limit
          expect(e.canAdd('members', current, adding)).toBe(fits)
          const left = e.remaining('members', current)
          expect(left === null || e.canAdd('members', current, adding) === adding <= left).toBe(
            true,
          )
        },
      ),
    )
  })
})

describe('flags and usage from the snapshot', () => {
  const snapshot = {
    plan,
    quotas: { members: 3, storage: 1000, custom_domains: 1, api_calls_per_day: 100 },
    flags: { 'drawings-beta': true, 'board-export': false, theme: 'green' },
    usage: { members: 3, storage: 400, api_calls_today: 99 },
  }

  it('isEnabled is true only for a boolean flag that is on', () => {
    const e = entitlementsOf(snapshot)
    expect(e.isEnabled('drawings-beta')).toBe(true)
    expect(e.isEnabled('board-export')).toBe(false)
    expect(e.isEnabled('theme')).toBe(false)
    expect(e.isEnabled('no-such-flag')).toBe(false)
    expect(e.isEnabled('constructor')).toBe(false)
  })

  it('variant names on/off for boolean flags, the variant for string flags, nothing for unknown ones', () => {
    const e = entitlementsOf(snapshot)
    expect(e.variant('drawings-beta')).toBe('on')
    expect(e.variant('board-export')).toBe('off')
    expect(e.variant('theme')).toBe('green')
    expect(e.variant('toString')).toBeUndefined()
  })

  it('checks quotas against the snapshot usage when no count is given', () => {
    const e = entitlementsOf(snapshot)
    expect(e.canAdd('members')).toBe(false)
    expect(e.canAdd('api_calls_per_day')).toBe(true)
    expect(e.canAdd('api_calls_per_day', undefined, 2)).toBe(false)
    expect(e.canAdd('storage', undefined, 600)).toBe(true)
    expect(e.remaining('storage')).toBe(600)
    expect(e.canAdd('members', 1)).toBe(true)
    expect(() => e.canAdd('custom_domains')).toThrow(TypeError)
    expect(e.canAdd('custom_domains', 0)).toBe(true)
  })
})
