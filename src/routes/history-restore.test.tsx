import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createSuperAdmin,
  createTenant,
  createTestApp,
  getPage,
  signIn,
  type TestApp,
} from '../test-support/factories.js'

// Issue #6 item 12: the Back button after an htmx search. htmx restores a pushed URL it has no
// cache for by asking the server with HX-Request AND HX-History-Restore-Request, then swaps the
// answer into the whole body: a fragment there is a bare table without the console around it.

let t: TestApp
let cookie: string

beforeAll(async () => {
  t = await createTestApp()
  const owner = await createSuperAdmin(t.db, t.config)
  cookie = await signIn(t.app, owner, t.clock)
  await createTenant(t.db, { name: 'Restorable Org' })
})

afterAll(() => t?.close())

const RESTORE = { 'HX-Request': 'true', 'HX-History-Restore-Request': 'true' }

describe('a history restore request', () => {
  for (const path of ['/tenants?q=restorable', '/audit?action=tenant.create']) {
    it(`gets the whole page with the console layout on ${path.split('?')[0]}`, async () => {
      const res = await getPage(t.app, path, cookie, RESTORE)
      const body = await res.text()

      expect(res.status).toBe(200)
      expect(body).toContain('<html')
      expect(body).toContain('aria-label="Sections"')
      expect(body).toContain('Sign out')
      expect(res.headers.get('vary')).toContain('HX-History-Restore-Request')
    })
  }

  it('still answers a plain htmx search with the fragment alone', async () => {
    const body = await (
      await getPage(t.app, '/tenants?q=restorable', cookie, { 'HX-Request': 'true' })
    ).text()

    expect(body).not.toContain('<html')
    expect(body).toContain('Restorable Org')
  })
})
