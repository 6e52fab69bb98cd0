import { describe, expect, it } from 'vitest'
import { decryptSecret, deriveKey } from '../../auth/encryption.js'
import { findSealedLicenceKey } from '../../db/licence-key.js'
import { auditEntries } from '../../test-support/database-state.js'
import { createSuperAdmin } from '../../test-support/factories.js'
import { fieldError, textOf } from '../../test-support/html.js'
import { followWithFlash } from '../../test-support/plan-scenes.js'
import { getPage, postForm, signIn } from '../../test-support/requests.js'
import { useTestApp } from '../../test-support/test-app.js'

// /settings/licence (issue 10 item 6, seed 002): the licence key, encrypted at rest, shown as
// its last four characters, audited as "changed" and never by value.

const t = useTestApp()
const KEY = 'FD-LIC-2026-ACME-7F3A-9C21'

describe('the licence key', () => {
  it('is stored encrypted, shown by its last four characters only, and audited as changed', async () => {
    const { owner, cookie } = await t.signedInOwner()

    const res = await postForm(t.app, '/settings/licence', { licenceKey: `  ${KEY}\n` }, cookie)

    expect(res.status).toBe(303)
    const sealed = (await findSealedLicenceKey(t.db))!
    expect(sealed).toMatch(/^v1\./)
    expect(sealed).not.toContain('ACME')
    const opened = decryptSecret(deriveKey(t.config.secretKey, 'licence-key'), sealed)
    expect(new TextDecoder().decode(opened)).toBe(KEY)
    const entry = (await auditEntries(t.db, 'settings.licence_key')).at(-1)!
    expect(entry).toMatchObject({
      actor_id: owner.admin.id,
      before: { licenceKey: 'none' },
      after: { licenceKey: 'changed' },
    })
    expect(JSON.stringify(entry)).not.toContain('9C21')
    expect(await followWithFlash(t.app, res, cookie)).toContain(
      'Licence key saved: the key ending in …9C21 is recorded.',
    )
    const page = await (await getPage(t.app, '/settings/licence', cookie)).text()
    expect(textOf(page, '#licence-state')).toBe('A key ending in …9C21 is recorded.')
    expect(page).not.toContain('ACME')
  })

  it('replacing it audits set → changed; clearing it removes the row', async () => {
    const { cookie } = await t.signedInOwner()
    await postForm(t.app, '/settings/licence', { licenceKey: KEY }, cookie)

    await postForm(t.app, '/settings/licence', { licenceKey: 'FD-LIC-2027-NEW-0042' }, cookie)
    const replaced = (await auditEntries(t.db, 'settings.licence_key')).at(-1)!
    const cleared = await postForm(t.app, '/settings/licence', { _method: 'DELETE' }, cookie)

    expect(replaced).toMatchObject({
      before: { licenceKey: 'set' },
      after: { licenceKey: 'changed' },
    })
    expect(cleared.status).toBe(303)
    expect(await findSealedLicenceKey(t.db)).toBeUndefined()
    expect((await auditEntries(t.db, 'settings.licence_key')).at(-1)!).toMatchObject({
      before: { licenceKey: 'set' },
      after: { licenceKey: 'none' },
    })
    expect(await followWithFlash(t.app, cleared, cookie)).toContain(
      'Licence key cleared: none is recorded now.',
    )
  })

  it('clearing when none is recorded changes nothing and says so', async () => {
    const { cookie } = await t.signedInOwner()
    await t.db.deleteFrom('settings').where('key', '=', 'licence_key').execute()
    const audited = (await auditEntries(t.db, 'settings.licence_key')).length

    const res = await postForm(t.app, '/settings/licence', { _method: 'DELETE' }, cookie)

    expect(await auditEntries(t.db, 'settings.licence_key')).toHaveLength(audited)
    expect(await followWithFlash(t.app, res, cookie)).toContain(
      'No licence key was recorded; nothing changed.',
    )
  })

  it('refuses a too short key with 422 next to the field and keeps the recorded one', async () => {
    const { cookie } = await t.signedInOwner()
    await postForm(t.app, '/settings/licence', { licenceKey: KEY }, cookie)
    const sealed = await findSealedLicenceKey(t.db)

    const res = await postForm(t.app, '/settings/licence', { licenceKey: '  abc ' }, cookie)

    expect(res.status).toBe(422)
    expect(fieldError(await res.text(), 'licenceKey')).toBe(
      'Paste the whole key: at least 8 characters.',
    )
    expect(await findSealedLicenceKey(t.db)).toBe(sealed)
  })

  it('an admin may neither read nor set it', async () => {
    const admin = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    const cookie = await signIn(t.app, admin, t.clock)
    const sealed = await findSealedLicenceKey(t.db)

    expect((await getPage(t.app, '/settings/licence', cookie)).status).toBe(403)
    expect((await postForm(t.app, '/settings/licence', { licenceKey: KEY }, cookie)).status).toBe(
      403,
    )
    expect(await findSealedLicenceKey(t.db)).toBe(sealed)
  })

  it('asks for a fresh TOTP code before saving', async () => {
    const cookie = await signIn(t.app, await createSuperAdmin(t.db, t.config), t.clock)
    const sealed = await findSealedLicenceKey(t.db)
    t.clock.advance(11 * 60 * 1000)

    const res = await postForm(
      t.app,
      '/settings/licence',
      { licenceKey: 'FD-LIC-OTHER-1111' },
      cookie,
    )

    expect(res.headers.get('location')).toMatch(/^\/step-up\?next=/)
    expect(await findSealedLicenceKey(t.db)).toBe(sealed)
  })
})
