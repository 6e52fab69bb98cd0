import { decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { useFleetdeck, type FleetdeckUnderTest } from '../test/fleetdeck-under-test.js'
import { inProcessFleetdeck, signHandoff } from '../test/in-process-fleetdeck.js'
import { KitError } from './client.js'
import { JWKS_MIN_REFETCH_MS } from './handoff.js'

// Issue 8 item 5 on the kit's side: every handoff the kit must refuse, refused before or at
// redeem, against the real Fleetdeck in-process.
const fd = useFleetdeck(inProcessFleetdeck)

async function impersonating(
  fd: FleetdeckUnderTest,
  mode: 'read_only' | 'read_write' = 'read_only',
) {
  const tenant = await fd.createTenant()
  const user = await fd.createMember(tenant)
  const imp = await fd.startImpersonation(tenant, user, { mode })
  return { tenant, user, imp }
}

async function refusal(promise: Promise<unknown>): Promise<KitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof KitError)) throw new Error(`expected a KitError, got ${String(error)}`)
  return error
}

const jwksCalls = (fd: FleetdeckUnderTest) =>
  fd.calls.filter((c) => c === 'GET /.well-known/jwks.json').length

describe('verifying a handoff against the JWKS', () => {
  it('accepts a token Fleetdeck signed for this app and returns its claims', async () => {
    const { tenant, user, imp } = await impersonating(fd)
    const token = await fd.handoffToken(imp.id)

    const claims = await fd.kit().verifyHandoff(token)

    expect(claims).toMatchObject({
      iss: fd.fleetdeckUrl,
      aud: fd.appUrl,
      sub: user.id,
      tenant_id: tenant.id,
      tenant_slug: tenant.slug,
      act: { email: imp.operatorEmail },
      imp: imp.id,
      mode: 'read_only',
    })
  })

  it('refuses an expired token', async () => {
    const { imp } = await impersonating(fd)
    const token = await fd.handoffToken(imp.id)
    fd.clock.advance(66_000)

    const error = await refusal(fd.kit().verifyHandoff(token))

    expect(error).toMatchObject({ status: 400, code: 'invalid_token' })
    expect(error.message).toMatch(/expired/)
  })

  it('refuses a token issued for another app (wrong audience)', async () => {
    const { imp } = await impersonating(fd)
    const token = await fd.handoffToken(imp.id, { claims: { aud: 'https://other-app.example' } })

    expect(await refusal(fd.kit().verifyHandoff(token))).toMatchObject({
      status: 403,
      code: 'wrong_audience',
    })
  })

  it('refetches the JWKS once for an unknown kid, then refuses; a second one within 10 s does not refetch', async () => {
    const { imp } = await impersonating(fd)
    const kit = fd.kit()
    await kit.verifyHandoff(await fd.handoffToken(imp.id))
    const before = jwksCalls(fd)
    fd.clock.advance(JWKS_MIN_REFETCH_MS)

    const unknown = await fd.handoffToken(imp.id, { unknownKey: true })
    expect(await refusal(kit.verifyHandoff(unknown))).toMatchObject({ code: 'invalid_token' })
    expect(jwksCalls(fd)).toBe(before + 1)

    expect(await refusal(kit.verifyHandoff(unknown))).toMatchObject({ code: 'invalid_token' })
    expect(jwksCalls(fd)).toBe(before + 1)
  })

  it('accepts a token signed with a key rotated in since it fetched the JWKS', async () => {
    const { imp } = await impersonating(fd)
    const kit = fd.kit()
    await kit.verifyHandoff(await fd.handoffToken(imp.id))
    const before = jwksCalls(fd)
    fd.clock.advance(JWKS_MIN_REFETCH_MS)
    await fd.rotateSigningKey()

    const claims = await kit.verifyHandoff(await fd.handoffToken(imp.id))

    expect(claims.imp).toBe(imp.id)
    expect(jwksCalls(fd)).toBe(before + 1)
  })

  it('refuses a token whose payload was altered after signing', async () => {
    const { imp } = await impersonating(fd)
    const [header, payload, signature] = (await fd.handoffToken(imp.id)).split('.')
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    const widened = Buffer.from(JSON.stringify({ ...claims, mode: 'read_write' })).toString(
      'base64url',
    )

    const error = await refusal(fd.kit().verifyHandoff(`${header}.${widened}.${signature}`))

    expect(error).toMatchObject({ status: 400, code: 'invalid_token' })
  })

  it('refuses a token without the handoff typ (RFC 8725 explicit typing)', async () => {
    const { imp } = await impersonating(fd)
    for (const typ of ['JWT', undefined]) {
      const token = await fd.handoffToken(imp.id, { header: { typ } })
      expect(await refusal(fd.kit().verifyHandoff(token))).toMatchObject({ code: 'invalid_token' })
    }
  })

  it('refuses any algorithm but EdDSA, even with a key it would accept', async () => {
    const { imp } = await impersonating(fd)
    const good = await fd.handoffToken(imp.id)
    const claims = JSON.parse(Buffer.from(good.split('.')[1], 'base64url').toString())
    const { kid } = decodeProtectedHeader(good)
    const hs256 = await signHandoff(
      claims,
      { alg: 'HS256', kid, typ: 'fleetdeck-handoff+jwt' },
      new TextEncoder().encode('x'.repeat(32)) as unknown as CryptoKey,
    )

    expect(await refusal(fd.kit().verifyHandoff(hs256))).toMatchObject({ code: 'invalid_token' })
  })

  it('refuses a token from another issuer, or missing a protocol claim', async () => {
    const { imp } = await impersonating(fd)
    const otherIssuer = await fd.handoffToken(imp.id, { claims: { iss: 'https://evil.example' } })
    const noImp = await fd.handoffToken(imp.id, { claims: { imp: undefined } })
    const badMode = await fd.handoffToken(imp.id, { claims: { mode: 'admin' } })

    for (const token of [otherIssuer, noImp, badMode, 'not.a.jwt', '']) {
      expect(await refusal(fd.kit().verifyHandoff(token))).toMatchObject({ code: 'invalid_token' })
    }
  })
})

describe('redeeming and following an impersonation', () => {
  it('redeems a good handoff into the impersonation, audited in the tenant log', async () => {
    const { tenant, user, imp } = await impersonating(fd)

    const view = await fd.kit().redeemHandoff(await fd.handoffToken(imp.id))

    expect(view).toMatchObject({
      id: imp.id,
      status: 'active',
      mode: 'read_only',
      tenant: { slug: tenant.slug },
      user: { id: user.id, email: user.email },
      operator: { email: imp.operatorEmail },
    })
    expect(fd.calls).toContain('POST /kit/v1/impersonations/redeem')
    const audit = await fd.tenantAudit(tenant)
    expect(audit.map((e) => e.action)).toContain('support.impersonation_handoff')
  })

  it('refuses a replayed handoff: the second redeem of one jti is a 409, audited', async () => {
    const { tenant, imp } = await impersonating(fd)
    const token = await fd.handoffToken(imp.id)
    await fd.kit().redeemHandoff(token)

    const error = await refusal(fd.kit().redeemHandoff(token))

    expect(error).toMatchObject({ status: 409, code: 'handoff_used' })
    const audit = await fd.tenantAudit(tenant)
    expect(audit.map((e) => e.action)).toContain('support.impersonation_handoff_replayed')
  })

  it('refuses the token of an ended impersonation with 410', async () => {
    const { imp } = await impersonating(fd)
    const token = await fd.handoffToken(imp.id)
    await fd.endImpersonation(imp.id)

    const error = await refusal(fd.kit().redeemHandoff(token))

    expect(error).toMatchObject({ status: 410, code: 'impersonation_ended' })
  })

  it('refuses locally before calling Fleetdeck when the token is not for this app', async () => {
    const { imp } = await impersonating(fd)
    const token = await fd.handoffToken(imp.id, { claims: { aud: 'https://other-app.example' } })
    const redeems = fd.calls.filter((c) => c.endsWith('/redeem')).length

    expect(await refusal(fd.kit().redeemHandoff(token))).toMatchObject({ code: 'wrong_audience' })
    expect(fd.calls.filter((c) => c.endsWith('/redeem')).length).toBe(redeems)
  })

  it('drops the impersonation within 4 s (the default hold) of its ending at Fleetdeck', async () => {
    const { imp } = await impersonating(fd)
    const kit = fd.kit()
    await kit.redeemHandoff(await fd.handoffToken(imp.id))
    expect(await kit.currentImpersonation(imp.id)).toMatchObject({ status: 'active' })

    await fd.endImpersonation(imp.id)
    fd.clock.advance(3999)
    expect(await kit.currentImpersonation(imp.id)).toBeDefined()
    fd.clock.advance(1)

    expect(await kit.currentImpersonation(imp.id)).toBeUndefined()
  })

  it('drops it once the seconds Fleetdeck gave have run out, without asking again', async () => {
    const tenant = await fd.createTenant()
    const user = await fd.createMember(tenant)
    const imp = await fd.startImpersonation(tenant, user, { minutes: 1 })
    const kit = fd.kit({ cacheMs: 5000 })
    fd.clock.advance(57_000)
    expect(await kit.currentImpersonation(imp.id)).toBeDefined()
    const calls = fd.calls.length

    fd.clock.advance(3000)

    expect(await kit.currentImpersonation(imp.id)).toBeUndefined()
    expect(fd.calls.length).toBe(calls)
  })

  it('ends the impersonation from the app and forgets it at once', async () => {
    const { imp } = await impersonating(fd)
    const kit = fd.kit()
    await kit.redeemHandoff(await fd.handoffToken(imp.id))

    const ended = await kit.endImpersonation(imp.id)

    expect(ended).toMatchObject({ id: imp.id, status: 'ended', secondsLeft: 0 })
    expect(await kit.currentImpersonation(imp.id)).toBeUndefined()
  })

  it('treats an unknown impersonation as gone', async () => {
    expect(await fd.kit().currentImpersonation(crypto.randomUUID())).toBeUndefined()
  })

  it('writes an impersonated write to the tenant audit with both identities', async () => {
    const { tenant, user, imp } = await impersonating(fd, 'read_write')
    const kit = fd.kit()

    await kit.audit(tenant.slug, {
      action: 'board.deleted',
      details: { board: 'Main' },
      impersonationId: imp.id,
    })

    const entry = (await fd.tenantAudit(tenant)).find((e) => e.action === 'board.deleted')
    expect(entry).toMatchObject({
      actor: imp.operatorEmail,
      details: { board: 'Main', impersonatedUser: user.email, impersonationId: imp.id },
    })
  })

  it('refuses an audit entry under an impersonation that has ended', async () => {
    const { tenant, imp } = await impersonating(fd, 'read_write')
    await fd.endImpersonation(imp.id)

    const error = await refusal(
      fd.kit().audit(tenant.slug, { action: 'board.deleted', impersonationId: imp.id }),
    )

    expect(error).toMatchObject({ status: 409, code: 'impersonation_inactive' })
  })
})
