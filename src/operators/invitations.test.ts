import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findUsableEnrolmentToken } from '../auth/enrolment.js'
import type { Db } from '../db/database.js'
import { openTestDatabase } from '../db/test-database.js'
import { auditEntries, uniqueSuffix } from '../test-support/factories.js'
import { inviteOperator } from './invitations.js'

// The console's route is covered through HTTP in src/routes/super-admins/; here the CLI's use of
// the same verb (scripts/create-super-admin.ts), which has no request around it.

let db: Db
let close: () => Promise<void>

beforeAll(async () => {
  const handle = await openTestDatabase()
  db = handle.db
  close = handle.close
})
afterAll(() => close())

const CLI = { requestId: 'cli:create-super-admin' }
const HOUR = 3600_000

function fields() {
  return { email: `cli-${uniqueSuffix()}@example.com`, name: 'Cleo Cli', role: 'owner' as const }
}

describe('inviteOperator from the CLI', () => {
  it('creates the admin without password or TOTP and a one-hour enrolment link, audited as the CLI', async () => {
    const now = new Date()
    const input = fields()

    const result = await inviteOperator(db, CLI, input, { via: 'cli' }, now)

    if (!result.ok) throw new Error(result.reason)
    expect(result.operator).toMatchObject({
      ...input,
      passwordHash: null,
      mfaEnabled: false,
      createdBy: null,
    })
    expect(result.expiresAt.getTime() - now.getTime()).toBe(HOUR)
    const link = await findUsableEnrolmentToken(db, result.token, now)
    expect(link).toMatchObject({ purpose: 'enrolment', superAdminId: result.operator.id })
    const [entry] = (await auditEntries(db, 'super_admin.invite')).filter(
      (e) => e.target_id === result.operator.id,
    )
    expect(entry).toMatchObject({
      actor_id: null,
      request_id: 'cli:create-super-admin',
      after: { email: input.email, role: 'owner', via: 'cli' },
    })
  })

  it('refuses an email that is taken, whatever its case, and creates nothing', async () => {
    const input = fields()
    await inviteOperator(db, CLI, input, { via: 'cli' }, new Date())
    const count = async () => (await db.selectFrom('super_admins').select('id').execute()).length
    const before = await count()

    const again = await inviteOperator(
      db,
      CLI,
      { ...input, email: input.email.toUpperCase() },
      { via: 'cli' },
      new Date(),
    )

    expect(again).toEqual({ ok: false, reason: 'email_taken' })
    expect(await count()).toBe(before)
  })
})
