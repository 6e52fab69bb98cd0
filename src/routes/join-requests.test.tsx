import type { KyselyPlugin } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { createSession } from '../auth/session.js'
import type { OperatorRole } from '../db/schema.js'
import type { Tenant } from '../db/tenants.js'
import { submitJoinRequest } from '../people/join-requests.js'
import { changeTenantStatus } from '../tenancy/lifecycle.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import { createSuperAdmin, createTenant, uniqueSuffix } from '../test-support/factories.js'
import { fieldError, parseHtml, tableRow, textOf } from '../test-support/html.js'
import {
  cookieFrom,
  getPage,
  postForm,
  sendForm,
  SESSION_COOKIE,
} from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

const t = useTestApp()
let cookie: string
let tenant: Tenant

beforeAll(async () => {
  ;({ cookie } = await t.signedInOwner())
  tenant = await createTenant(t.db)
})

/** A full-session cookie of a new admin with `role`, straight in the database. */
async function cookieOf(role: OperatorRole): Promise<string> {
  const who = await createSuperAdmin(t.db, t.config, { role })
  const { token } = await createSession(
    t.db,
    who.admin.id,
    { twoFactorVerified: true },
    new Date(t.clock.now()),
  )
  return `${SESSION_COOKIE}=${token}`
}

async function submit(tenantId = tenant.id, email = `joiner-${uniqueSuffix()}@example.org`) {
  const result = await submitJoinRequest(
    t.db,
    { actor: null },
    {
      email,
      name: 'Jo Joiner',
      tenantId,
      message: 'I work here.',
    },
  )
  if (!result.ok) throw new Error(result.reason)
  return result.request
}

function requestRow(id: string) {
  return t.db.selectFrom('join_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

function memberRole(email: string, tenantId: string) {
  return t.db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select('memberships.role')
    .where('users.email', '=', email)
    .where('memberships.tenant_id', '=', tenantId)
    .executeTakeFirst()
}

/** A form body with `ids` repeated, as checked checkboxes send it. */
function decisionBody(ids: string[], fields: Record<string, string>): URLSearchParams {
  const body = new URLSearchParams(fields)
  for (const id of ids) body.append('ids', id)
  return body
}

function post(path: string, body: URLSearchParams, who = cookie, headers = {}) {
  return t.app.request(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'http://localhost',
      cookie: who,
      ...headers,
    },
    body: body.toString(),
  })
}

const counts = () =>
  Promise.all([
    countRows(t.db, 'users'),
    countRows(t.db, 'memberships'),
    countRows(t.db, 'audit_log'),
  ])

describe('the join requests page', () => {
  it('lists pending requests first, with their tenant, and offers the decisions', async () => {
    const request = await submit()
    const res = await getPage(t.app, `/join-requests?tenant=${tenant.slug}`, cookie)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(textOf(html, 'h1')).toBe('Join requests')
    const row = tableRow(html, `join-request-${request.id}`)
    expect(row.Tenant).toContain(tenant.slug)
    expect(row.Status).toBe('pending')
    expect(parseHtml(html).querySelector(`button[aria-label="Approve ${request.email}"]`)).not.toBe(
      null,
    )
    expect(html).toContain('Approve selected')
  })

  it('shows a viewer the list without any decision control', async () => {
    await submit()
    const html = await (await getPage(t.app, '/join-requests', await cookieOf('viewer'))).text()
    expect(html).toContain('Join requests')
    expect(html).not.toContain('Approve')
    expect(html).not.toContain('Deny')
  })

  it('scoped to one customer, lists only its requests, without the tenant column and filter', async () => {
    const other = await createTenant(t.db)
    const ours = await submit()
    const theirs = await submit(other.id)
    const scoped = await postForm(t.app, '/scope', { mode: 'customer', tenant: tenant.id }, cookie)
    const scope = cookieFrom(scoped, 'fleetdeck_scope')!

    const html = await (await getPage(t.app, '/join-requests', `${cookie}; ${scope}`)).text()

    expect(html).toContain(`id="join-request-${ours.id}"`)
    expect(html).not.toContain(`id="join-request-${theirs.id}"`)
    expect(Object.keys(tableRow(html, `join-request-${ours.id}`))).not.toContain('Tenant')
    expect(parseHtml(html).querySelector('input[name="tenant"]')).toBe(null)
  })

  it('answers the list alone to htmx, filtered by status', async () => {
    const res = await getPage(t.app, '/join-requests?status=denied', cookie, {
      'hx-request': 'true',
    })
    const html = await res.text()
    expect(html).toMatch(/^<div id="join-requests"/)
    expect(html).not.toContain('>pending<')
  })
})

describe('approving join requests', () => {
  it('creates the user and the membership, audits it with a batch id, and says so', async () => {
    const request = await submit()
    const users = await countRows(t.db, 'users')
    const res = await post(
      '/join-requests/approval',
      decisionBody([request.id], { role: 'admin', back: '/join-requests?status=pending' }),
    )
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/join-requests?status=pending')
    expect(await countRows(t.db, 'users')).toBe(users + 1)
    expect(await memberRole(request.email, tenant.id)).toEqual({ role: 'admin' })
    expect(await requestRow(request.id)).toMatchObject({ status: 'approved', role: 'admin' })
    const [entry] = (await auditEntries(t.db, 'join_request.approve')).filter(
      (e) => e.target_id === request.id,
    )
    expect(entry.batch_id).toMatch(/^[0-9a-f-]{36}$/)
    const page = await getPage(t.app, '/join-requests', `${cookie}; ${flashCookie(res)}`)
    expect(textOf(await page.text(), '[role="status"]')).toBe('1 request approved as admin.')
  })

  it('approves three at once under one batch id, swapping the list and announcing it', async () => {
    const requests = [await submit(), await submit(), await submit()]
    const res = await post(
      '/join-requests/approval',
      decisionBody(
        requests.map((r) => r.id),
        { role: 'member', back: '/join-requests' },
      ),
      cookie,
      { 'hx-request': 'true' },
    )
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(textOf(html, '#live-region')).toBe('3 requests approved as member.')
    const entries = (await auditEntries(t.db, 'join_request.approve')).filter((e) =>
      requests.some((r) => r.id === e.target_id),
    )
    expect(entries).toHaveLength(3)
    expect(new Set(entries.map((e) => e.batch_id)).size).toBe(1)
    for (const r of requests)
      expect(await memberRole(r.email, tenant.id)).toEqual({ role: 'member' })
  })

  it('refuses a request for a suspended tenant and changes nothing', async () => {
    const closed = await createTenant(t.db)
    const request = await submit(closed.id)
    await changeTenantStatus(t.db, { actor: null }, closed.id, 'suspend')
    const before = await counts()
    const res = await post(
      '/join-requests/approval',
      decisionBody([request.id], { role: 'member' }),
    )
    expect(res.status).toBe(409)
    expect(await res.text()).toContain(`${request.email} (${closed.slug}: suspended)`)
    expect(await counts()).toEqual(before)
    expect((await requestRow(request.id)).status).toBe('pending')
  })

  it('refuses a request already decided', async () => {
    const request = await submit()
    await post('/join-requests/denial', decisionBody([request.id], { reason: 'Unknown.' }))
    const before = await counts()
    const res = await post(
      '/join-requests/approval',
      decisionBody([request.id], { role: 'member' }),
    )
    expect(res.status).toBe(409)
    expect(await res.text()).toContain('already decided')
    expect(await counts()).toEqual(before)
    expect((await requestRow(request.id)).status).toBe('denied')
  })

  it('refuses a role that does not exist with a message next to the field', async () => {
    const request = await submit()
    const before = await counts()
    const res = await post('/join-requests/approval', decisionBody([request.id], { role: 'god' }))
    expect(res.status).toBe(422)
    expect(fieldError(await res.text(), 'role')).toBe('Choose member, admin or owner.')
    expect(await counts()).toEqual(before)
  })

  it('answers 400 to a malformed id and 404 to an unknown one', async () => {
    const request = await submit()
    const bad = await post('/join-requests/approval', decisionBody(['nope'], { role: 'member' }))
    expect(bad.status).toBe(400)
    const unknown = await post(
      '/join-requests/approval',
      decisionBody([request.id, crypto.randomUUID()], { role: 'member' }),
    )
    expect(unknown.status).toBe(404)
    expect((await requestRow(request.id)).status).toBe('pending')
  })

  it('asks for a selection when none was made', async () => {
    await submit()
    const res = await post('/join-requests/approval', decisionBody([], { role: 'member' }))
    expect(res.status).toBe(422)
    expect(textOf(await res.text(), '#bulk-ids-error')).toBe('Select at least one request.')
  })
})

describe('denying join requests', () => {
  it('stores the reason and audits it', async () => {
    const request = await submit()
    const res = await post('/join-requests/denial', decisionBody([request.id], { reason: 'Left.' }))
    expect(res.status).toBe(303)
    expect(await requestRow(request.id)).toMatchObject({ status: 'denied', reason: 'Left.' })
    const [entry] = (await auditEntries(t.db, 'join_request.deny')).filter(
      (e) => e.target_id === request.id,
    )
    expect(entry.after).toEqual({ status: 'denied', reason: 'Left.' })
    expect(await memberRole(request.email, tenant.id)).toBeUndefined()
  })

  it('refuses a denial without a reason with 422 next to the field, changing nothing', async () => {
    const request = await submit()
    const before = await counts()
    const res = await post(
      '/join-requests/denial',
      decisionBody([request.id], { reason: '  ', row: request.id }),
    )
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(textOf(html, `#reason-${request.id}-error`)).toBe('Give a reason for the denial.')
    expect(await counts()).toEqual(before)
    expect((await requestRow(request.id)).status).toBe('pending')
  })
})

describe('who may decide', () => {
  it('a viewer and support may not approve or deny (403), an operator may', async () => {
    const request = await submit()
    for (const role of ['viewer', 'support'] as const) {
      const who = await cookieOf(role)
      const approve = await post(
        '/join-requests/approval',
        decisionBody([request.id], { role: 'member' }),
        who,
      )
      const deny = await post(
        '/join-requests/denial',
        decisionBody([request.id], { reason: 'x' }),
        who,
      )
      expect([approve.status, deny.status]).toEqual([403, 403])
    }
    expect((await requestRow(request.id)).status).toBe('pending')
    const res = await post(
      '/join-requests/approval',
      decisionBody([request.id], { role: 'member' }),
      await cookieOf('operator'),
    )
    expect(res.status).toBe(303)
    expect((await requestRow(request.id)).status).toBe('approved')
  })

  it('an operator, who may not edit users, approves as member only: no admin or owner by the back door', async () => {
    const request = await submit()
    const operator = await cookieOf('operator')
    const page = parseHtml(await (await getPage(t.app, '/join-requests', operator)).text())
    const offered = page
      .querySelectorAll(`#role-${request.id} option`)
      .map((o) => o.getAttribute('value'))

    const res = await post(
      '/join-requests/approval',
      decisionBody([request.id], { role: 'owner' }),
      operator,
    )

    expect(offered).toEqual(['member'])
    expect(res.status).toBe(403)
    expect((await requestRow(request.id)).status).toBe('pending')
    const owners = parseHtml(await (await getPage(t.app, '/join-requests', cookie)).text())
    expect(
      owners.querySelectorAll(`#role-${request.id} option`).map((o) => o.getAttribute('value')),
    ).toEqual(['member', 'admin', 'owner'])
  })
})

describe('auto-join domains', () => {
  const domainsOf = (tenantId: string) =>
    t.db
      .selectFrom('tenant_auto_join_domains')
      .select('domain')
      .where('tenant_id', '=', tenantId)
      .execute()

  it('adds a domain in lower case, audited, and shows it on the tenant page', async () => {
    const own = await createTenant(t.db)
    const res = await postForm(
      t.app,
      `/tenants/${own.id}/auto-join-domains`,
      { domain: ' Acme.Example ' },
      cookie,
    )
    expect(res.status).toBe(303)
    expect(await domainsOf(own.id)).toEqual([{ domain: 'acme.example' }])
    const [entry] = (await auditEntries(t.db, 'tenant.auto_join_domain.add')).filter(
      (e) => e.tenant_id === own.id,
    )
    expect(entry.after).toEqual({ domain: 'acme.example' })
    const page = await (await getPage(t.app, `/tenants/${own.id}`, cookie)).text()
    expect(textOf(page, '#auto-join-domains')).toContain('acme.example')
    // A request from that domain is approved at once.
    const request = await submit(own.id, `new-${uniqueSuffix()}@acme.example`)
    expect(request.status).toBe('approved')
    expect(await memberRole(request.email, own.id)).toEqual({ role: 'member' })
  })

  it('refuses what is not a hostname with 422 next to the field, changing nothing', async () => {
    const own = await createTenant(t.db)
    const before = await countRows(t.db, 'audit_log')
    const res = await postForm(
      t.app,
      `/tenants/${own.id}/auto-join-domains`,
      { domain: 'ann@acme' },
      cookie,
      { 'hx-request': 'true' },
    )
    expect(res.status).toBe(422)
    expect(fieldError(await res.text(), 'domain')).toMatch(/^Enter a domain name/)
    expect(await domainsOf(own.id)).toEqual([])
    expect(await countRows(t.db, 'audit_log')).toBe(before)
  })

  it('refuses a public mail provider (anyone could join) with 422 next to the field, changing nothing', async () => {
    const own = await createTenant(t.db)
    const before = await countRows(t.db, 'audit_log')
    for (const domain of ['gmail.com', 'Hotmail.co.uk']) {
      const res = await postForm(
        t.app,
        `/tenants/${own.id}/auto-join-domains`,
        { domain },
        cookie,
        { 'hx-request': 'true' },
      )
      expect(res.status).toBe(422)
      expect(fieldError(await res.text(), 'domain')).toBe(
        `${domain.toLowerCase()} is a public mail provider: anyone there could join ${own.slug}.`,
      )
    }
    expect(await domainsOf(own.id)).toEqual([])
    expect(await countRows(t.db, 'audit_log')).toBe(before)
  })

  it('removes a domain, and answers 404 for one the tenant does not have', async () => {
    const own = await createTenant(t.db)
    await postForm(
      t.app,
      `/tenants/${own.id}/auto-join-domains`,
      { domain: 'gone.example' },
      cookie,
    )
    const res = await sendForm(
      t.app,
      'DELETE',
      `/tenants/${own.id}/auto-join-domains/gone.example`,
      {},
      cookie,
      {
        'hx-request': 'true',
      },
    )
    expect(res.status).toBe(200)
    expect(textOf(await res.text(), '#live-region')).toBe(
      `Auto-join domain gone.example removed from ${own.slug}.`,
    )
    expect(await domainsOf(own.id)).toEqual([])
    const again = await sendForm(
      t.app,
      'DELETE',
      `/tenants/${own.id}/auto-join-domains/gone.example`,
      {},
      cookie,
    )
    expect(again.status).toBe(404)
  })

  it('a viewer may not add a domain and sees no form for it', async () => {
    const own = await createTenant(t.db)
    const viewer = await cookieOf('viewer')
    const res = await postForm(
      t.app,
      `/tenants/${own.id}/auto-join-domains`,
      { domain: 'x.example' },
      viewer,
    )
    expect(res.status).toBe(403)
    const page = await (await getPage(t.app, `/tenants/${own.id}`, viewer)).text()
    expect(page).not.toContain('Add domain')
    expect(await domainsOf(own.id)).toEqual([])
  })

  it('answers 404 for an unknown tenant', async () => {
    const res = await postForm(
      t.app,
      `/tenants/${crypto.randomUUID()}/auto-join-domains`,
      { domain: 'x.example' },
      cookie,
    )
    expect(res.status).toBe(404)
  })
})

describe('what the list costs', () => {
  it('runs the same few statements whatever the number of rows (no query per row)', async () => {
    let statements = 0
    const counter: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => (statements++, args.result),
    }
    const db = t.db.withPlugin(counter)
    const app = createApp({ config: t.config, database: { ...t.database, db }, now: t.clock.now })
    const own = await createTenant(t.db)
    const cost = async () => {
      statements = 0
      const res = await getPage(app, `/join-requests?tenant=${own.slug}`, cookie)
      expect(res.status).toBe(200)
      return statements
    }
    await submit(own.id)
    await cost() // the global allowlist is read once per time-to-live
    const one = await cost()
    for (let i = 0; i < 6; i++) await submit(own.id)
    expect(await cost()).toBe(one)
    // The session, the tenant's slug, the page, its total and the pending count.
    expect(one).toBeLessThanOrEqual(5)
  })
})

/** The flash cookie a redirect set, for the page that follows it. */
function flashCookie(res: Response): string {
  const line = res.headers.getSetCookie().find((l) => l.startsWith('fleetdeck_flash='))
  return line ? line.split(';')[0] : ''
}
