import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  inRollout,
  isValidFlagValue,
  ofrepReason,
  resolveFlag,
  rolloutBucket,
  ROLLOUT_BUCKETS,
  type FlagDefinition,
  type FlagSubject,
  type FlagWhy,
} from './resolve.js'

const RUNS = Number(process.env.FC_RUNS ?? 100)

const TENANT = '7b0f4a52-3c61-4d0e-9a39-5d5b3a1f2c11'

function flag(overrides: Partial<FlagDefinition> = {}): FlagDefinition {
  return {
    key: 'drawings-beta',
    type: 'boolean',
    variants: [],
    defaultValue: false,
    rolloutPercentage: 0,
    rolloutValue: null,
    rolloutPlanIds: [],
    planValues: {},
    archived: false,
    ...overrides,
  }
}

const subject = (overrides: Partial<FlagSubject> = {}): FlagSubject => ({
  tenantId: TENANT,
  planId: 'professional',
  ...overrides,
})

describe('resolveFlag, in evaluation order', () => {
  // Every combination of the five rules being present or absent: the first present one decides.
  const cases: {
    archived: boolean
    override: boolean
    rollout: boolean
    plan: boolean
    expected: FlagWhy
  }[] = []
  for (const archived of [true, false])
    for (const override of [true, false])
      for (const rollout of [true, false])
        for (const plan of [true, false])
          cases.push({
            archived,
            override,
            rollout,
            plan,
            expected: archived
              ? 'archived'
              : override
                ? 'override'
                : rollout
                  ? 'rollout'
                  : plan
                    ? 'plan'
                    : 'default',
          })

  it.each(cases)(
    'archived=$archived override=$override rollout=$rollout plan=$plan → $expected',
    ({ archived, override, rollout, plan, expected }) => {
      const f = flag({
        type: 'string',
        variants: ['a', 'b', 'c', 'd'],
        defaultValue: 'a',
        archived,
        rolloutPercentage: rollout ? 100 : 0,
        rolloutValue: rollout ? 'b' : null,
        planValues: plan ? { professional: 'c' } : {},
      })
      const resolved = resolveFlag(f, subject(override ? { override: 'd' } : {}))
      const valueOf: Record<FlagWhy, string> = {
        archived: 'a',
        override: 'd',
        rollout: 'b',
        plan: 'c',
        default: 'a',
      }
      expect(resolved).toEqual({ why: expected, value: valueOf[expected] })
    },
  )

  it('gives an archived flag its default even to a tenant with an override', () => {
    expect(resolveFlag(flag({ archived: true }), subject({ override: true }))).toEqual({
      value: false,
      why: 'archived',
    })
  })

  it('draws the rollout only from the plans it names', () => {
    const f = flag({ rolloutPercentage: 100, rolloutValue: true, rolloutPlanIds: ['professional'] })
    expect(resolveFlag(f, subject({ planId: 'professional' })).why).toBe('rollout')
    expect(resolveFlag(f, subject({ planId: 'free' }))).toEqual({ value: false, why: 'default' })
  })

  it('uses the value of the tenant’s own plan, not another plan’s', () => {
    const f = flag({ planValues: { enterprise: true } })
    expect(resolveFlag(f, subject({ planId: 'enterprise' }))).toEqual({ value: true, why: 'plan' })
    expect(resolveFlag(f, subject({ planId: 'free' }))).toEqual({ value: false, why: 'default' })
  })

  it('an override of false beats a plan that includes the feature', () => {
    const f = flag({ planValues: { professional: true } })
    expect(resolveFlag(f, subject({ override: false }))).toEqual({ value: false, why: 'override' })
  })

  it('a rollout of 0 % takes nobody, one of 100 % everybody on its plans', () => {
    fc.assert(
      fc.property(fc.uuid(), (tenantId) => {
        expect(
          inRollout(flag({ rolloutPercentage: 0, rolloutValue: true }), subject({ tenantId })),
        ).toBe(false)
        expect(
          inRollout(flag({ rolloutPercentage: 100, rolloutValue: true }), subject({ tenantId })),
        ).toBe(true)
      }),
      { numRuns: RUNS },
    )
  })
})

describe('rolloutBucket', () => {
  it('is a known value (sha256 of "key:tenant", first 4 bytes big-endian, mod 10 000)', () => {
    // sha256('a:b') starts 6783a31e = 1,736,680,222; pinned so a change of the hash, the
    // separator or the modulus cannot pass unnoticed (it would reshuffle every rollout).
    expect(rolloutBucket('a', 'b')).toBe(222)
  })

  it('lies in [0, 10 000) and differs between flags for the same tenant', () => {
    const buckets = new Set<number>()
    for (let i = 0; i < 50; i++) {
      const b = rolloutBucket(`flag-${i}`, TENANT)
      expect(b).toBeGreaterThanOrEqual(0)
      expect(b).toBeLessThan(ROLLOUT_BUCKETS)
      buckets.add(b)
    }
    expect(buckets.size).toBeGreaterThan(40)
  })

  it('spreads tenants evenly: 10 % of 5,000 tenants land within 8–12 %', () => {
    let inside = 0
    const f = flag({ rolloutPercentage: 10, rolloutValue: true })
    for (let i = 0; i < 5000; i++)
      if (inRollout(f, subject({ tenantId: `tenant-${i}` }))) inside += 1
    expect(inside).toBeGreaterThan(400)
    expect(inside).toBeLessThan(600)
  })
})

describe('properties', () => {
  const definitions = fc.record({
    key: fc.stringMatching(/^[a-z][a-z0-9-]{1,20}$/),
    type: fc.constant<'boolean'>('boolean'),
    variants: fc.constant<string[]>([]),
    defaultValue: fc.boolean(),
    rolloutPercentage: fc.integer({ min: 0, max: 100 }),
    rolloutValue: fc.boolean(),
    rolloutPlanIds: fc.subarray(['free', 'professional', 'enterprise']),
    planValues: fc.dictionary(fc.constantFrom('free', 'professional', 'enterprise'), fc.boolean()),
    archived: fc.boolean(),
  })
  const subjects = fc.record(
    {
      tenantId: fc.uuid(),
      planId: fc.constantFrom('free', 'professional', 'enterprise'),
      override: fc.boolean(),
    },
    { requiredKeys: ['tenantId', 'planId'] },
  )

  it('resolution is deterministic: the same flag and tenant always give the same answer', () => {
    fc.assert(
      fc.property(definitions, subjects, (f, s) => {
        expect(resolveFlag(f, s)).toEqual(resolveFlag({ ...f }, { ...s }))
      }),
      { numRuns: RUNS },
    )
  })

  it('is monotone in the rollout percentage: a tenant in at p % stays in at every q ≥ p', () => {
    fc.assert(
      fc.property(
        definitions,
        subjects,
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (f, s, a, b) => {
          const [p, q] = a <= b ? [a, b] : [b, a]
          const at = (pct: number) => resolveFlag({ ...f, rolloutPercentage: pct }, s)
          if (at(p).why === 'rollout') expect(at(q)).toEqual(at(p))
          // And nothing but the rollout changes with the percentage.
          if (at(q).why !== 'rollout') expect(at(p)).toEqual(at(q))
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('always answers a value the flag allows', () => {
    fc.assert(
      fc.property(definitions, subjects, (f, s) => {
        expect(isValidFlagValue(f, resolveFlag(f, s).value)).toBe(true)
      }),
      { numRuns: RUNS },
    )
  })
})

describe('ofrepReason', () => {
  it('maps every why to the OFREP reason', () => {
    expect(ofrepReason('archived', true)).toBe('DISABLED')
    expect(ofrepReason('override', true)).toBe('TARGETING_MATCH')
    expect(ofrepReason('plan', true)).toBe('TARGETING_MATCH')
    expect(ofrepReason('rollout', true)).toBe('SPLIT')
    expect(ofrepReason('default', true)).toBe('DEFAULT')
    expect(ofrepReason('default', false)).toBe('STATIC')
  })
})

describe('isValidFlagValue', () => {
  it('takes booleans for boolean flags and listed variants for string flags', () => {
    expect(isValidFlagValue({ type: 'boolean', variants: [] }, true)).toBe(true)
    expect(isValidFlagValue({ type: 'boolean', variants: [] }, 'true')).toBe(false)
    expect(isValidFlagValue({ type: 'string', variants: ['a'] }, 'a')).toBe(true)
    expect(isValidFlagValue({ type: 'string', variants: ['a'] }, 'b')).toBe(false)
    expect(isValidFlagValue({ type: 'string', variants: ['a'] }, true)).toBe(false)
  })
})
