import { describe, expect, it } from 'vitest'
import { parseAppKey } from '../auth/app-keys.js'
import { hashSecret } from '../auth/tokens.js'
import { auditEntries } from '../test-support/database-state.js'
import { createAppKey } from '../test-support/factories.js'
import { fieldError, parseHtml, readableText, rowCells } from '../test-support/html.js'
import { cookieFrom, getPage, postForm, send } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

// /settings/app-keys (issue 8 item 3): owners create, see and revoke the keys tenant apps use.

const t = useTestApp()

async function countKeys(): Promise<number> {
  const row = await t.db
    .selectFrom('app_keys')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

function kitCall(token: string) {
  return send(t.app, 'GET', '/kit/v1/tenants/no-such-tenant', {
    headers: { authorization: `Bearer ${token}` },
  })
}

/** The page the redirect leads to, with the flash cookie it set. */
async function flashAfter(res: Response, cookie: string): Promise<string> {
  const flash = cookieFrom(res, 'fleetdeck_flash')
  return (await getPage(t.app, res.headers.get('location')!, `${cookie}; ${flash}`)).text()
}

describe('creating an app key', () => {
  it('shows the token once with the env lines, stores only its hash, and audits no secret', async () => {
    const { owner, cookie } = await t.signedInOwner()

    const res = await postForm(
      t.app,
      '/settings/app-keys',
      { name: 'Acme workspace', appUrl: 'HTTPS://App.Example.com/' },
      cookie,
    )

    expect(res.status).toBe(201)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const html = await res.text()
    const token = readableText(parseHtml(html).querySelector('#app-key-token')!)
    const parsed = parseAppKey(token)!
    expect(parsed).toBeDefined()
    expect(html).toContain('this is the only time it is shown')
    expect(html).toContain(`FLEETDECK_APP_KEY=${token}`)
    expect(html).toContain(`FLEETDECK_URL=${t.config.publicUrl}`)
    expect(html).toContain('APP_URL=https://app.example.com')
    const row = await t.db
      .selectFrom('app_keys')
      .selectAll()
      .where('id', '=', parsed.id)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      name: 'Acme workspace',
      app_url: 'https://app.example.com',
      created_by: owner.admin.id,
    })
    expect(Buffer.from(row.secret_hash).equals(Buffer.from(hashSecret(parsed.secret)))).toBe(true)
    const [entry] = (await auditEntries(t.db, 'app_key.create')).filter(
      (e) => e.target_id === parsed.id,
    )
    expect(entry).toMatchObject({
      actor_id: owner.admin.id,
      after: { name: 'Acme workspace', appUrl: 'https://app.example.com' },
    })
    expect(JSON.stringify(entry)).not.toContain(parsed.secret)
    // The key works at once.
    expect((await kitCall(token)).status).toBe(404)

    const list = await (await getPage(t.app, '/settings/app-keys', cookie)).text()
    expect(list).toContain('Acme workspace')
    expect(list).not.toContain(parsed.secret)
    expect(rowCells(list, `app-key-${parsed.id}`)).toEqual([
      'Acme workspace',
      'https://app.example.com',
      expect.stringContaining(`by ${owner.admin.email}`),
      expect.stringMatching(/UTC$/),
      'active',
      'Revoke',
    ])
  })

  it('refuses a missing name, a long name and URLs that are not bare origins, writing nothing', async () => {
    const { cookie } = await t.signedInOwner()
    const before = await countKeys()
    const cases: [Record<string, string>, 'name' | 'appUrl'][] = [
      [{ name: '', appUrl: 'https://app.example.com' }, 'name'],
      [{ name: 'x'.repeat(81), appUrl: 'https://app.example.com' }, 'name'],
      [{ name: 'App', appUrl: '' }, 'appUrl'],
      [{ name: 'App', appUrl: 'https://app.example.com/path' }, 'appUrl'],
      [{ name: 'App', appUrl: 'https://app.example.com?q=1' }, 'appUrl'],
      [{ name: 'App', appUrl: 'https://app.example.com#x' }, 'appUrl'],
      [{ name: 'App', appUrl: 'ftp://app.example.com' }, 'appUrl'],
      [{ name: 'App', appUrl: 'javascript:alert(1)' }, 'appUrl'],
    ]
    for (const [fields, field] of cases) {
      const res = await postForm(t.app, '/settings/app-keys', fields, cookie)
      expect(res.status, JSON.stringify(fields)).toBe(422)
      const html = await res.text()
      expect(fieldError(html, field), JSON.stringify(fields)).toBeTruthy()
      expect(html).not.toMatch(/fdk_[a-z2-7]{32}\./)
    }
    expect(await countKeys()).toBe(before)
  })
})

describe('the app keys list', () => {
  it('says what an app key is for when there is none', async () => {
    const { cookie } = await t.signedInOwner()
    await t.db.deleteFrom('app_keys').execute()

    const html = await (await getPage(t.app, '/settings/app-keys', cookie)).text()

    expect(html).toContain('No app keys yet')
    expect(html).toContain('Connect your app')
    expect(html).toContain('aria-current="page"')
    expect(html).toMatch(/<a href="\/settings\/app-keys"[^>]*aria-current="page"/)
  })

  it('shows never for an unused key and the revocation date of a revoked one', async () => {
    const { cookie } = await t.signedInOwner()
    const { key } = await createAppKey(t.db, { name: 'Unused' })
    const { key: gone } = await createAppKey(t.db, { name: 'Gone' })
    await t.db
      .updateTable('app_keys')
      .set({ revoked_at: new Date('2026-12-01T10:00:00Z') })
      .where('id', '=', gone.id)
      .execute()

    const html = await (await getPage(t.app, '/settings/app-keys', cookie)).text()

    expect(rowCells(html, `app-key-${key.id}`)[3]).toBe('never')
    expect(rowCells(html, `app-key-${gone.id}`)[4]).toBe('revoked 2026-12-01 10:00 UTC')
    expect(rowCells(html, `app-key-${gone.id}`)[5]).toBe('')
  })
})

describe('revoking an app key', () => {
  it('refuses the key at the kit API at once, audits it, and says so', async () => {
    const { owner, cookie } = await t.signedInOwner()
    const { key, token } = await createAppKey(t.db, { name: 'Doomed' })
    expect((await kitCall(token)).status).toBe(404)

    const res = await postForm(t.app, `/settings/app-keys/${key.id}/revocation`, {}, cookie)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/settings/app-keys')
    expect((await kitCall(token)).status).toBe(401)
    const row = await t.db
      .selectFrom('app_keys')
      .select(['revoked_at', 'revoked_by'])
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow()
    expect(row.revoked_at).not.toBeNull()
    expect(row.revoked_by).toBe(owner.admin.id)
    const entries = (await auditEntries(t.db, 'app_key.revoke')).filter(
      (e) => e.target_id === key.id,
    )
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({
      actor_id: owner.admin.id,
      before: { name: 'Doomed', revokedAt: null },
      after: { name: 'Doomed', revokedAt: expect.any(String) },
    })
    expect(await flashAfter(res, cookie)).toContain('App key “Doomed” revoked')
  })

  it('revoking twice says it was already revoked and audits nothing more', async () => {
    const { cookie } = await t.signedInOwner()
    const { key } = await createAppKey(t.db)
    await postForm(t.app, `/settings/app-keys/${key.id}/revocation`, {}, cookie)

    const res = await postForm(t.app, `/settings/app-keys/${key.id}/revocation`, {}, cookie)

    expect(res.status).toBe(303)
    expect(await flashAfter(res, cookie)).toContain('already revoked')
    const entries = (await auditEntries(t.db, 'app_key.revoke')).filter(
      (e) => e.target_id === key.id,
    )
    expect(entries).toHaveLength(1)
  })

  it('answers 404 for a key that does not exist', async () => {
    const { cookie } = await t.signedInOwner()
    const res = await postForm(t.app, `/settings/app-keys/${'a'.repeat(32)}/revocation`, {}, cookie)
    expect(res.status).toBe(404)
  })
})
