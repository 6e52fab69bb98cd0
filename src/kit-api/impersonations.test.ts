import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { createAppKey } from '../test-support/factories.js'
import { auditEntries } from '../test-support/database-state.js'
import {
  impersonationScene,
  startSceneImpersonation,
  tenantEntries,
  tokenOf,
  type ImpersonationScene,
} from '../test-support/impersonation.js'
import { useTestApp } from '../test-support/test-app.js'
import { endImpersonation } from '../tenancy/impersonation-end.js'

// The handoff's security (issue 8 item 5) through the kit API, as a tenant app's kit calls it.

const t = useTestApp()
const now = () => new Date(t.clock.now())

/** A kit call as a tenant app's server makes it: bearer key, JSON, no cookies, no Origin. */
function kit(method: string, path: string, appToken: string, body?: unknown) {
  const json = body !== undefined
  return t.app.request(`/kit/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${appToken}`,
      ...(json ? { 'content-type': 'application/json' } : {}),
    },
    body: json ? (typeof body === 'string' ? body : JSON.stringify(body)) : undefined,
  })
}

const redeem = (s: ImpersonationScene, token: string, appToken = s.appToken) =>
  kit('POST', '/impersonations/redeem', appToken, { token })

async function started() {
  const s = await impersonationScene(t.db, t.config)
  const { impersonation, handoffUrl } = await startSceneImpersonation(t.db, t.config, s, now())
  return { s, impersonation, token: tokenOf(handoffUrl) }
}

async function refusal(res: Response, status: number, code: string) {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  expect(await res.json()).toMatchObject({ status, code })
}

describe('POST /kit/v1/impersonations/redeem', () => {
  it('redeems a fresh handoff once, answers the view, and audits it in both logs', async () => {
    const { s, impersonation, token } = await started()

    const res = await redeem(s, token)

    expect(res.status).toBe(200)
    const { impersonation: view } = await res.json()
    expect(view).toMatchObject({
      id: impersonation.id,
      status: 'active',
      mode: 'read_only',
      tenant: { id: s.tenant.id, slug: s.tenant.slug, name: s.tenant.name },
      user: { id: s.user.id, email: s.user.email, name: s.user.name },
      operator: { id: s.operator.admin.id, email: s.operator.admin.email },
      ticket: 'SUP-1234',
      endedAt: null,
      endReason: null,
      secondsLeft: 30 * 60,
    })
    const [entry] = (await auditEntries(t.db, 'impersonation.handoff')).filter(
      (e) => e.target_id === impersonation.id,
    )
    expect(entry).toMatchObject({
      actor_id: s.operator.admin.id,
      impersonated_user_id: s.user.id,
      impersonated_tenant_id: s.tenant.id,
    })
    expect(await tenantEntries(t.db, s.tenant.slug, 'support.impersonation_handoff')).toHaveLength(
      1,
    )
    const row = await t.db
      .selectFrom('impersonations')
      .select('handoff_used_at')
      .where('id', '=', impersonation.id)
      .executeTakeFirstOrThrow()
    expect(row.handoff_used_at).not.toBeNull()
  })

  it('refuses a replayed token with 409 and audits the replay in both logs', async () => {
    const { s, impersonation, token } = await started()
    expect((await redeem(s, token)).status).toBe(200)

    await refusal(await redeem(s, token), 409, 'handoff_used')

    const replays = (await auditEntries(t.db, 'impersonation.handoff_replayed')).filter(
      (e) => e.target_id === impersonation.id,
    )
    expect(replays).toHaveLength(1)
    expect(replays[0]).toMatchObject({ impersonated_user_id: s.user.id })
    const tenantReplays = await tenantEntries(
      t.db,
      s.tenant.slug,
      'support.impersonation_handoff_replayed',
    )
    expect(tenantReplays).toHaveLength(1)
  })

  it('refuses an expired token (61 s later on the test clock) as invalid_token', async () => {
    const { s, token } = await started()
    t.clock.advance(61_000)
    await refusal(await redeem(s, token), 400, 'invalid_token')
    expect(await tenantEntries(t.db, s.tenant.slug, 'support.impersonation_handoff')).toEqual([])
  })

  it('refuses a token for another app with 403 wrong_audience', async () => {
    const { s, token } = await started()
    const other = await createAppKey(t.db, { appUrl: 'http://other.example' })
    await refusal(await redeem(s, token, other.token), 403, 'wrong_audience')
  })

  it('refuses a token signed by a key Fleetdeck never published (unknown kid)', async () => {
    const { s, token } = await started()
    const forger = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
    const claims = decodeJwt(token)
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: 'not-ours', typ: 'fleetdeck-handoff+jwt' })
      .sign(forger.privateKey)
    const sameKid = await new SignJWT(claims)
      .setProtectedHeader({ ...decodeProtectedHeader(token), alg: 'EdDSA' })
      .sign(forger.privateKey)
    await refusal(await redeem(s, forged), 400, 'invalid_token')
    await refusal(await redeem(s, sameKid), 400, 'invalid_token')
    expect((await redeem(s, token)).status).toBe(200)
  })

  it('refuses a tampered payload and a wrong typ', async () => {
    const { s, token } = await started()
    const [header, payload, signature] = token.split('.')
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    const tampered = Buffer.from(JSON.stringify({ ...claims, mode: 'read_write' })).toString(
      'base64url',
    )
    const retyped = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), typ: 'JWT' }),
    ).toString('base64url')
    await refusal(await redeem(s, `${header}.${tampered}.${signature}`), 400, 'invalid_token')
    await refusal(await redeem(s, `${retyped}.${payload}.${signature}`), 400, 'invalid_token')
    await refusal(await redeem(s, 'not.a.token'), 400, 'invalid_token')
  })

  it('refuses the token of an ended impersonation with 410', async () => {
    const { s, impersonation, token } = await started()
    const by = s.operator.admin
    await endImpersonation(t.db, { actor: by }, impersonation.id, { by, reason: 'ended' }, now())
    await refusal(await redeem(s, token), 410, 'impersonation_ended')
  })

  it('answers 404 to another app key with the same address', async () => {
    const { s, token } = await started()
    const twin = await createAppKey(t.db, { appUrl: s.appKey.appUrl })
    await refusal(await redeem(s, token, twin.token), 404, 'impersonation_not_found')
  })

  it('refuses malformed JSON with 400 and a missing token with 422', async () => {
    const { s } = await started()
    await refusal(
      await kit('POST', '/impersonations/redeem', s.appToken, '{nope'),
      400,
      'invalid_request',
    )
    const res = await kit('POST', '/impersonations/redeem', s.appToken, { token: 42 })
    expect(res.status).toBe(422)
    expect(await res.json()).toMatchObject({ code: 'invalid_input', errors: [{ path: 'token' }] })
  })
})

describe('GET and end of /kit/v1/impersonations/:id', () => {
  it('shows the view to its own app key and 404 to any other', async () => {
    const { s, impersonation } = await started()
    const twin = await createAppKey(t.db, { appUrl: s.appKey.appUrl })
    t.clock.advance(60_000)

    const own = await kit('GET', `/impersonations/${impersonation.id}`, s.appToken)
    expect(own.status).toBe(200)
    expect((await own.json()).impersonation).toMatchObject({
      status: 'active',
      secondsLeft: 29 * 60,
    })
    await refusal(
      await kit('GET', `/impersonations/${impersonation.id}`, twin.token),
      404,
      'impersonation_not_found',
    )
    await refusal(
      await kit('POST', `/impersonations/${impersonation.id}/end`, twin.token),
      404,
      'impersonation_not_found',
    )
    await refusal(
      await kit('GET', '/impersonations/not-a-uuid', s.appToken),
      404,
      'impersonation_not_found',
    )
    const row = await t.db
      .selectFrom('impersonations')
      .select('ended_at')
      .where('id', '=', impersonation.id)
      .executeTakeFirstOrThrow()
    expect(row.ended_at).toBeNull()
  })

  it('ends in the app as ended_in_app by the operator, in both logs, and answers the same view again', async () => {
    const { s, impersonation } = await started()

    const res = await kit('POST', `/impersonations/${impersonation.id}/end`, s.appToken)
    const again = await kit('POST', `/impersonations/${impersonation.id}/end`, s.appToken)

    expect(res.status).toBe(200)
    const view = (await res.json()).impersonation
    expect(view).toMatchObject({ status: 'ended', endReason: 'ended_in_app', secondsLeft: 0 })
    expect((await again.json()).impersonation).toEqual(view)
    const row = await t.db
      .selectFrom('impersonations')
      .selectAll()
      .where('id', '=', impersonation.id)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({ end_reason: 'ended_in_app', ended_by: s.operator.admin.id })
    const ends = (await auditEntries(t.db, 'impersonation.end')).filter(
      (e) => e.target_id === impersonation.id,
    )
    expect(ends).toHaveLength(1)
    expect(ends[0]).toMatchObject({
      actor_id: s.operator.admin.id,
      impersonated_user_id: s.user.id,
    })
    expect(await tenantEntries(t.db, s.tenant.slug, 'support.impersonation_ended')).toHaveLength(1)
  })

  it('shows a lapsed one as expired with no time left', async () => {
    const { s, impersonation } = await started()
    t.clock.advance(30 * 60_000)
    const res = await kit('GET', `/impersonations/${impersonation.id}`, s.appToken)
    expect((await res.json()).impersonation).toMatchObject({
      status: 'expired',
      endReason: 'expired',
      secondsLeft: 0,
    })
  })
})
