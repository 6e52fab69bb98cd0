import { describe, expect, it } from 'vitest'
import { useFleetdeck } from '../test/fleetdeck-under-test.js'
import { inProcessFleetdeck } from '../test/in-process-fleetdeck.js'

// kit.signupSettings and kit.signUp (PROTOCOL.md "Signup"), against the real Fleetdeck.
const fd = useFleetdeck(inProcessFleetdeck)

let n = 0
const workspace = () => {
  n++
  return {
    slug: `kit-signup-${n}-${fd.clock.now() % 100_000}`,
    name: `Kit signup ${n}`,
    ownerName: 'Ada',
    ownerEmail: `ada-${n}-${fd.clock.now()}@example.com`,
    ip: `192.0.2.${n}`,
  }
}

describe('signup settings through the kit', () => {
  it('holds the answer at most cacheMs, then sees the owner’s change through a revalidation', async () => {
    await fd.setSignup(true, 'professional')
    const kit = fd.kit({ cacheMs: 3000 })

    expect(await kit.signupSettings()).toEqual({
      open: true,
      defaultPlan: { id: 'professional', name: 'Professional' },
    })
    await fd.setSignup(false, 'professional')
    fd.clock.advance(2000)
    expect((await kit.signupSettings()).open).toBe(true)
    fd.clock.advance(1000)
    expect((await kit.signupSettings()).open).toBe(false)
    expect(fd.calls.filter((c) => c === 'GET /kit/v1/signup')).toHaveLength(2)
  })
})

describe('signing up through the kit', () => {
  it('creates the workspace on the default plan, and it resolves at once even if looked up before', async () => {
    await fd.setSignup(true, 'enterprise')
    const kit = fd.kit()
    const input = workspace()
    expect(await kit.resolveTenant(input.slug)).toMatchObject({ ok: false, reason: 'not_found' })

    const result = await kit.signUp(input)

    expect(result).toEqual({
      ok: true,
      tenant: {
        id: expect.any(String),
        slug: input.slug,
        name: input.name,
        status: 'active',
        plan: { id: 'enterprise', name: 'Enterprise' },
      },
    })
    expect(await kit.resolveTenant(input.slug)).toMatchObject({
      ok: true,
      tenant: { slug: input.slug, plan: { id: 'enterprise' } },
    })
  })

  it('answers refusals as values: closed, taken slug, bad input', async () => {
    const kit = fd.kit()
    await fd.setSignup(false)
    expect(await kit.signUp(workspace())).toMatchObject({ ok: false, code: 'signup_closed' })

    await fd.setSignup(true)
    const taken = await fd.createTenant()
    expect(await kit.signUp({ ...workspace(), slug: taken.slug })).toMatchObject({
      ok: false,
      code: 'slug_taken',
      errors: [{ path: 'slug' }],
    })
    expect(await kit.signUp({ ...workspace(), ownerEmail: 'nope' })).toMatchObject({
      ok: false,
      code: 'invalid_input',
      errors: [{ path: 'ownerEmail' }],
    })
  })
})
