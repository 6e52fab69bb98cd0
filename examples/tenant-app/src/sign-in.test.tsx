import { describe, expect, it } from 'vitest'
import { changeUserStatus } from '../../../src/people/users.js'
import { changeTenantStatus } from '../../../src/tenancy/lifecycle.js'
import { alertText, headings } from '../../../src/test-support/html.js'
import { cookiesOf, useExampleApp } from '../test/harness.js'

const h = useExampleApp()

async function signInsOf(userId: string) {
  return h.t.db
    .selectFrom('user_sign_ins')
    .select(['outcome', 'detail'])
    .where('user_id', '=', userId)
    .orderBy('at')
    .execute()
}

describe('signing in to the example app', () => {
  it('a member with the right password lands on the board, recorded at Fleetdeck as a success', async () => {
    const { tenant, owner } = await h.workspace()

    const res = await h.signIn(tenant.slug, owner.email)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/t/${tenant.slug}/`)
    const board = await h.get(`/t/${tenant.slug}/`, cookiesOf(res))
    expect(board.status).toBe(200)
    expect(headings(await board.text())).toContain('Board')
    expect(await signInsOf(owner.id)).toEqual([{ outcome: 'succeeded', detail: null }])
    const user = await h.t.db
      .selectFrom('users')
      .select('last_login_at')
      .where('id', '=', owner.id)
      .executeTakeFirstOrThrow()
    expect(user.last_login_at).not.toBeNull()
  })

  it('a wrong password is refused with one message, no session, and recorded as a failure', async () => {
    const { tenant, owner } = await h.workspace()

    const res = await h.signIn(tenant.slug, owner.email, 'not the password at all')

    expect(res.status).toBe(422)
    expect(alertText(await res.text())).toBe('That email and password do not match.')
    expect(cookiesOf(res)).toBeUndefined()
    expect(await signInsOf(owner.id)).toEqual([{ outcome: 'failed', detail: 'bad_password' }])
  })

  it('the board without a session sends the visitor to sign in', async () => {
    const { tenant } = await h.workspace()

    const res = await h.get(`/t/${tenant.slug}/`)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/t/${tenant.slug}/sign-in`)
  })

  it("a session of one workspace does not open another's board", async () => {
    const first = await h.workspace()
    const second = await h.workspace()
    const cookie = await h.cookieOf(first.tenant.slug, first.owner.email)

    const res = await h.get(`/t/${second.tenant.slug}/`, cookie)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/t/${second.tenant.slug}/sign-in`)
  })
})

describe('what Fleetdeck decides reaches the example app', () => {
  it("a suspended tenant's members get the kit's suspended page, signed in or not", async () => {
    const { tenant, owner } = await h.workspace()
    const cookie = await h.cookieOf(tenant.slug, owner.email)
    await changeTenantStatus(h.t.db, { actor: null }, tenant.id, 'suspend')
    h.t.clock.advance(5_001)

    for (const res of [
      await h.get(`/t/${tenant.slug}/`, cookie),
      await h.get(`/t/${tenant.slug}/sign-in`),
    ]) {
      expect(res.status).toBe(403)
      expect(headings(await res.text())).toEqual(['This workspace is suspended'])
    }
  })

  it('a user disabled in the console is refused on their next request once the 5 s cache is over', async () => {
    const { tenant } = await h.workspace()
    const alice = await h.person(tenant)
    const cookie = await h.cookieOf(tenant.slug, alice.email)
    expect((await h.get(`/t/${tenant.slug}/`, cookie)).status).toBe(200)

    await changeUserStatus(h.t.db, { actor: null }, alice.id, 'disable')
    // Within the kit's cache the member is still the one it fetched (at most 5 s old).
    expect((await h.get(`/t/${tenant.slug}/`, cookie)).status).toBe(200)
    h.t.clock.advance(5_001)
    const res = await h.get(`/t/${tenant.slug}/`, cookie)

    expect(res.status).toBe(403)
    expect(headings(await res.text())).toEqual(['Your account is disabled'])
  })

  it('a disabled user cannot sign in, and the refusal is recorded', async () => {
    const { tenant } = await h.workspace()
    const bob = await h.person(tenant)
    await changeUserStatus(h.t.db, { actor: null }, bob.id, 'disable')

    const res = await h.signIn(tenant.slug, bob.email)

    expect(res.status).toBe(403)
    expect(alertText(await res.text())).toMatch(/disabled/)
    expect(cookiesOf(res)).toBeUndefined()
    expect(await signInsOf(bob.id)).toEqual([{ outcome: 'refused', detail: 'disabled' }])
  })

  it('an unknown workspace is not found', async () => {
    const res = await h.get('/t/no-such-workspace/sign-in')

    expect(res.status).toBe(404)
    expect(headings(await res.text())).toEqual(['Workspace not found'])
  })
})

describe('asking to join', () => {
  it('files a join request at Fleetdeck for the admins to decide', async () => {
    const { tenant } = await h.workspace()

    const res = await h.post(`/t/${tenant.slug}/join`, {
      email: 'newcomer@example.org',
      name: 'New Comer',
      message: 'I work on the board too',
    })

    expect(res.status).toBe(200)
    expect(await res.text()).toContain('Your request was sent.')
    const requests = await h.t.db
      .selectFrom('join_requests')
      .select(['email', 'status'])
      .where('tenant_id', '=', tenant.id)
      .execute()
    expect(requests).toEqual([{ email: 'newcomer@example.org', status: 'pending' }])
  })
})
