import { describe, expect, it } from 'vitest'
import { alertText, fieldError, headings, textOf, textsOf } from '../../../src/test-support/html.js'
import { boardOf, findPasswordHash, listAuditEntries, listNotes } from './board-db.js'
import { useExampleApp } from '../test/harness.js'

const h = useExampleApp()

const notesOf = (slug: string) => listNotes(boardOf(h.t.db, slug))
const auditOf = (slug: string) => listAuditEntries(boardOf(h.t.db, slug))

describe('the board', () => {
  it("adds a note under the member's name, audited in the tenant's own log", async () => {
    const { tenant, owner } = await h.workspace()
    const cookie = await h.cookieOf(tenant.slug, owner.email)

    const res = await h.post(`/t/${tenant.slug}/notes`, { body: 'Ship on Friday' }, cookie)

    expect(res.status).toBe(303)
    expect((await notesOf(tenant.slug)).map((n) => [n.body, n.authorEmail])).toEqual([
      ['Ship on Friday', owner.email],
    ])
    const [entry] = await auditOf(tenant.slug)
    expect([entry.actor, entry.action]).toEqual([owner.email, 'note.added'])
    const page = await (await h.get(`/t/${tenant.slug}/`, cookie)).text()
    expect(textsOf(page, '#notes li p:first-child')).toEqual(['Ship on Friday'])
  })

  it('an empty note is refused next to the field and nothing is written', async () => {
    const { tenant, owner } = await h.workspace()
    const cookie = await h.cookieOf(tenant.slug, owner.email)

    const res = await h.post(`/t/${tenant.slug}/notes`, { body: '   ' }, cookie)

    expect(res.status).toBe(422)
    expect(fieldError(await res.text(), 'body')).toBe('Write something first.')
    expect(await notesOf(tenant.slug)).toEqual([])
  })

  it("a member cannot delete someone else's note", async () => {
    const { tenant, owner } = await h.workspace()
    const member = await h.person(tenant)
    const ownerCookie = await h.cookieOf(tenant.slug, owner.email)
    await h.post(`/t/${tenant.slug}/notes`, { body: 'Owner note' }, ownerCookie)
    const [note] = await notesOf(tenant.slug)

    const res = await h.post(
      `/t/${tenant.slug}/notes/${note.id}/delete`,
      {},
      await h.cookieOf(tenant.slug, member.email),
    )

    expect(res.status).toBe(403)
    expect(await notesOf(tenant.slug)).toHaveLength(1)
  })
})

describe('members and the plan’s seat quota', () => {
  it('an owner adds a member through Fleetdeck, who can then sign in with the first password', async () => {
    const { tenant, owner } = await h.workspace()
    const cookie = await h.cookieOf(tenant.slug, owner.email)
    const page = await (await h.get(`/t/${tenant.slug}/members`, cookie)).text()
    expect(textOf(page, '#seats')).toBe('1 of 5 seats used')

    const res = await h.post(
      `/t/${tenant.slug}/members`,
      { email: 'grace@example.org', name: 'Grace', role: 'admin', password: 'a first password!' },
      cookie,
    )

    expect(res.status).toBe(303)
    const membership = await h.t.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select(['users.email', 'memberships.role'])
      .where('memberships.tenant_id', '=', tenant.id)
      .where('users.email', '=', 'grace@example.org')
      .execute()
    expect(membership).toEqual([{ email: 'grace@example.org', role: 'admin' }])
    expect(await findPasswordHash(boardOf(h.t.db, tenant.slug), 'grace@example.org')).toMatch(
      /^\$argon2id\$/,
    )
    expect((await h.signIn(tenant.slug, 'grace@example.org', 'a first password!')).status).toBe(303)
  })

  it('with every seat of the plan taken, the form gives way to a message and an addition is refused', async () => {
    const { tenant, owner } = await h.workspace({ planId: 'free' })
    for (let i = 0; i < 4; i++) await h.person(tenant)
    const cookie = await h.cookieOf(tenant.slug, owner.email)

    const page = await (await h.get(`/t/${tenant.slug}/members`, cookie)).text()
    expect(textOf(page, '#seats')).toBe('5 of 5 seats used')
    expect(textOf(page, '#seats-full')).toMatch(/^All 5 seats of the Free plan are used/)
    expect(textOf(page, 'form[action$="/members"]')).toBeUndefined()

    const res = await h.post(
      `/t/${tenant.slug}/members`,
      {
        email: 'one-too-many@example.org',
        name: 'One',
        role: 'member',
        password: 'a first password!',
      },
      cookie,
    )

    expect(res.status).toBe(422)
    expect(alertText(await res.text())).toMatch(/^All 5 seats of the Free plan are used/)
    const user = await h.t.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'one-too-many@example.org')
      .executeTakeFirst()
    expect(user).toBeUndefined()
    expect(await findPasswordHash(boardOf(h.t.db, tenant.slug), 'one-too-many@example.org')).toBe(
      undefined,
    )
  })

  it('a plain member sees the list but no add form, and cannot add anyone', async () => {
    const { tenant } = await h.workspace()
    const member = await h.person(tenant)
    const cookie = await h.cookieOf(tenant.slug, member.email)

    const page = await (await h.get(`/t/${tenant.slug}/members`, cookie)).text()
    expect(headings(page)).not.toContain('Add a member')
    const res = await h.post(
      `/t/${tenant.slug}/members`,
      { email: 'x@example.org', name: 'X', role: 'member', password: 'a first password!' },
      cookie,
    )
    expect(res.status).toBe(403)
  })
})

describe('deleting the board', () => {
  it('the owner confirms on a page of its own; the notes go and the deletion is audited', async () => {
    const { tenant, owner } = await h.workspace()
    const cookie = await h.cookieOf(tenant.slug, owner.email)
    await h.post(`/t/${tenant.slug}/notes`, { body: 'Gone soon' }, cookie)

    const page = await (await h.get(`/t/${tenant.slug}/board/delete`, cookie)).text()
    expect(headings(page)).toContain('Delete the board')
    expect(page).not.toContain('name="confirm"')
    const res = await h.post(`/t/${tenant.slug}/board/delete`, {}, cookie)

    expect(res.status).toBe(303)
    expect(await notesOf(tenant.slug)).toEqual([])
    const [entry] = await auditOf(tenant.slug)
    expect([entry.actor, entry.action]).toEqual([owner.email, 'board.deleted'])
  })

  it('support acting read-write must type the slug: a wrong one deletes nothing (seed 001)', async () => {
    const workspace = await h.workspace()
    const { tenant, owner } = workspace
    await h.post(
      `/t/${tenant.slug}/notes`,
      { body: 'Keep me' },
      await h.cookieOf(tenant.slug, owner.email),
    )
    const support = await h.impersonate(workspace, owner, 'read_write')

    const page = await (await h.get(`/t/${tenant.slug}/board/delete`, support.cookie)).text()
    expect(fieldError(page, 'confirm')).toBeUndefined()
    const wrong = await h.post(
      `/t/${tenant.slug}/board/delete`,
      { confirm: 'nope' },
      support.cookie,
    )

    expect(wrong.status).toBe(422)
    expect(fieldError(await wrong.text(), 'confirm')).toBe(
      `Type ${tenant.slug} exactly to delete the board.`,
    )
    expect(await notesOf(tenant.slug)).toHaveLength(1)

    const right = await h.post(
      `/t/${tenant.slug}/board/delete`,
      { confirm: tenant.slug },
      support.cookie,
    )

    expect(right.status).toBe(303)
    expect(await notesOf(tenant.slug)).toEqual([])
    const [entry] = await auditOf(tenant.slug)
    expect(entry.action).toBe('board.deleted')
    expect(entry.actor).toBe(support.operatorEmail)
    expect(entry.details).toMatchObject({
      impersonatedUser: owner.email,
      impersonationId: support.id,
    })
  })

  it('a read-only support session sees the banner and is refused any write by the kit', async () => {
    const workspace = await h.workspace()
    const { tenant, owner } = workspace
    const support = await h.impersonate(workspace, owner, 'read_only')

    const board = await (await h.get(`/t/${tenant.slug}/`, support.cookie)).text()
    expect(textOf(board, '.support-banner[role="status"] span')).toBe(
      `Support: ${support.operatorEmail} viewing ${tenant.name} as ${owner.email} — read-only — 30 min left`,
    )
    const res = await h.post(`/t/${tenant.slug}/notes`, { body: 'Not allowed' }, support.cookie)

    expect(res.status).toBe(403)
    expect(headings(await res.text())).toEqual(['Support is viewing this workspace read-only'])
    expect(await notesOf(tenant.slug)).toEqual([])
  })
})

describe("the tenant's audit page", () => {
  it('shows support sessions with the operator, the user and the reason, newest first', async () => {
    const workspace = await h.workspace()
    const { tenant, owner } = workspace
    const support = await h.impersonate(workspace, owner, 'read_only')
    const cookie = await h.cookieOf(tenant.slug, owner.email)

    const page = await (await h.get(`/t/${tenant.slug}/audit`, cookie)).text()

    const supportRow = textOf(page, '#audit tr.support')
    expect(supportRow).toContain(support.operatorEmail)
    expect(supportRow).toContain(`As user: ${owner.email}`)
    expect(supportRow).toContain('Reason: Customer asked for help with their board')
    expect(supportRow).toMatch(/support accessed your workspace/i)
  })
})
