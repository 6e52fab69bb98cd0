import { decodeBase32IgnorePadding } from '@oslojs/encoding'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import type { App } from '../app.js'
import {
  cookieFrom,
  countRows,
  createSuperAdmin,
  createTestApp,
  getPage,
  postForm,
  signIn,
  uniqueSuffix,
  type TestAdmin,
  type TestApp,
} from './factories.js'

// What the super-admin route tests share: the app, the signed-in owner, and helpers that read
// the database a request should (or should not) have changed.

// One app and owner per test file, and a fresh sign-in before each test: some tests move the
// clock past the step-up window. Test files read them as live bindings after
// useSuperAdminTestApp() has registered the hooks.
export let t: TestApp
export let owner: TestAdmin
export let cookie: string

export function useSuperAdminTestApp(): void {
  beforeAll(async () => {
    t = await createTestApp()
    owner = await createSuperAdmin(t.db, t.config, { role: 'owner', name: 'Olive Owner' })
  })
  beforeEach(async () => {
    cookie = await signIn(t.app, owner, t.clock)
  })
  afterAll(() => t?.close())
}

export const PASSWORD = 'correct horse battery staple'
export const HOUR = 3600_000

export function findAdmin(email: string) {
  return t.db.selectFrom('super_admins').selectAll().where('email', '=', email).executeTakeFirst()
}

export function adminRow(id: string) {
  return t.db.selectFrom('super_admins').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

export function sessionsOf(id: string) {
  return t.db
    .selectFrom('super_admin_sessions')
    .selectAll()
    .where('super_admin_id', '=', id)
    .execute()
}

export function tokensOf(id: string) {
  return t.db.selectFrom('enrolment_tokens').selectAll().where('super_admin_id', '=', id).execute()
}

/** The newest outbox mail to `to`. */
export function outboxMailTo(to: string) {
  return t.db
    .selectFrom('mail_outbox')
    .selectAll()
    .where('to_address', '=', to)
    .orderBy('id', 'desc')
    .executeTakeFirst()
}

/** `/enrol/<token>` from a mail body. */
export function linkIn(body: string): string {
  const match = /\/enrol\/[a-z2-7]{32}\.[a-z2-7]{32}/.exec(body)
  if (!match) throw new Error(`no link in ${body}`)
  return match[0]
}

/** The base32 key the enrolment page shows beside the QR code. */
export function shownKey(html: string): Uint8Array {
  const match = /id="totp-key"[^>]*>([A-Z2-7]+)</.exec(html)
  if (!match) throw new Error('no TOTP key on the page')
  return decodeBase32IgnorePadding(match[1])
}

/** Super admins, sessions, links, outbox and audit: what a refused request must leave as it was. */
export async function state() {
  return {
    admins: await t.db.selectFrom('super_admins').selectAll().orderBy('id').execute(),
    sessions: await countRows(t.db, 'super_admin_sessions'),
    tokens: await t.db
      .selectFrom('enrolment_tokens')
      .select(['id', 'used_at'])
      .orderBy('id')
      .execute(),
    outbox: (await t.db.selectFrom('mail_outbox').select('id').execute()).length,
    audit: await countRows(t.db, 'audit_log'),
  }
}

/** Follows a redirect with the session cookie and the flash cookie the response set. */
export async function follow(res: Response, session: string, app: App = t.app): Promise<string> {
  const flash = cookieFrom(res, 'fleetdeck_flash')
  const page = await getPage(
    app,
    res.headers.get('location')!,
    flash ? `${session}; ${flash}` : session,
  )
  return page.text()
}

export function inviteFields(overrides: Partial<Record<'email' | 'name' | 'role', string>> = {}) {
  return {
    email: `invitee-${uniqueSuffix()}@example.com`,
    name: 'Ivy Invitee',
    role: 'operator',
    ...overrides,
  }
}

export async function invite(fields = inviteFields(), as = cookie, app: App = t.app) {
  const res = await postForm(app, '/super-admins', fields, as)
  return { res, fields, admin: await findAdmin(fields.email) }
}

/** Password step as the sign-in form sends it; returns the response (status and location). */
export function passwordStep(
  email: string,
  password: string,
  headers: Record<string, string> = {},
) {
  return postForm(t.app, '/login', { email, password }, undefined, headers)
}
