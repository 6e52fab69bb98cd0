import { beforeAll, describe, expect, it } from 'vitest'
import { createAppKey, createTenant, createUser, uniqueSuffix } from '../test-support/factories.js'
import { kitCall } from '../test-support/kit-calls.js'
import { useTestApp } from '../test-support/test-app.js'

// POST /kit/v1/sign-ins (PROTOCOL.md "Sign-ins"): the tenant app reports every sign-in attempt.

const t = useTestApp()
let token: string

beforeAll(async () => {
  token = (await createAppKey(t.db)).token
})

const report = (json: unknown) => kitCall(t.app, token, 'POST', '/sign-ins', { json })

function signInRows(userId: string) {
  return t.db
    .selectFrom('user_sign_ins')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute()
}

describe('POST /kit/v1/sign-ins', () => {
  it('records a success, sets the user’s last_login_at and the tenant’s last activity', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)
    // Onboarding may have set it by the wall clock, ahead of the test app's clock.
    await t.db
      .updateTable('tenants')
      .set({ last_activity_at: null })
      .where('id', '=', tenant.id)
      .execute()

    const res = await report({
      tenant: tenant.slug,
      email: user.email.toUpperCase(),
      outcome: 'succeeded',
      ip: '192.0.2.10',
      userAgent: 'Mozilla/5.0',
    })

    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ recorded: true })
    const [row] = await signInRows(user.id)
    expect(row).toMatchObject({
      tenant_id: tenant.id,
      outcome: 'succeeded',
      ip: '192.0.2.10',
      user_agent: 'Mozilla/5.0',
      detail: null,
    })
    const after = await t.db
      .selectFrom('users')
      .select('last_login_at')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow()
    expect(after.last_login_at?.getTime()).toBe(row.at.getTime())
    const tenantRow = await t.db
      .selectFrom('tenants')
      .select('last_activity_at')
      .where('id', '=', tenant.id)
      .executeTakeFirstOrThrow()
    expect(tenantRow.last_activity_at?.getTime()).toBe(row.at.getTime())
  })

  it('records a failure with its detail and leaves last_login_at alone', async () => {
    const tenant = await createTenant(t.db)
    const user = await createUser(t.db)

    const res = await report({
      tenant: tenant.slug,
      email: user.email,
      outcome: 'failed',
      detail: 'bad_password',
    })

    expect(res.status).toBe(202)
    expect(await signInRows(user.id)).toMatchObject([{ outcome: 'failed', detail: 'bad_password' }])
    const after = await t.db
      .selectFrom('users')
      .select('last_login_at')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow()
    expect(after.last_login_at).toBeNull()
  })

  it('answers recorded: false for an email that is no user, writing nothing', async () => {
    const tenant = await createTenant(t.db)
    const before = await t.db
      .selectFrom('user_sign_ins')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()

    const res = await report({
      tenant: tenant.slug,
      email: `ghost-${uniqueSuffix()}@example.com`,
      outcome: 'refused',
    })

    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ recorded: false })
    const after = await t.db
      .selectFrom('user_sign_ins')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(after.n)).toBe(Number(before.n))
  })

  it('refuses bad values with 422 invalid_input and malformed JSON with 400', async () => {
    const user = await createUser(t.db)

    const bad = await report({ tenant: 'x', email: user.email, outcome: 'maybe', ip: 'nope' })
    const malformed = await kitCall(t.app, token, 'POST', '/sign-ins', {
      body: 'not json',
      headers: { 'content-type': 'application/json' },
    })

    expect(bad.status).toBe(422)
    const body = await bad.json()
    expect(body.code).toBe('invalid_input')
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['ip', 'outcome'])
    expect(malformed.status).toBe(400)
    expect((await malformed.json()).code).toBe('invalid_request')
    expect(await signInRows(user.id)).toEqual([])
  })
})
