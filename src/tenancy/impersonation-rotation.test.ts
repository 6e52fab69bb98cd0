import { decodeProtectedHeader } from 'jose'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ensureActiveSigningKey } from '../auth/signing-keys.js'
import { appendAuditEntry } from '../db/audit-log.js'
import { openDatabase, type DatabaseHandle } from '../db/database.js'
import { findActiveSigningKey } from '../db/signing-keys.js'
import { auditEntries } from '../test-support/database-state.js'
import { createSuperAdmin } from '../test-support/factories.js'
import {
  impersonationScene,
  startSceneImpersonation,
  tokenOf,
} from '../test-support/impersonation.js'
import { postForm, signIn } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'
import { issueHandoff } from './impersonation-handoff.js'

// Rotating the signing key while a handoff is being signed (issue 10 item 6, seed 002): every
// handoff the old key signed belongs to an impersonation the rotation ends, or it was signed with
// the new key. Real concurrency needs several connections: PostgreSQL only (PGlite has one).
// Each test parks one transaction mid-way behind an audited change held open on a second
// connection (the audit chain's lock), starts the other, and lets both go once both wait.

const t = useTestApp()
const onServer = it.skipIf(!process.env.TEST_DATABASE_URL)
const now = () => new Date(t.clock.now())
let other: DatabaseHandle | undefined

beforeEach(async () => {
  if (!process.env.TEST_DATABASE_URL) return
  const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(t.db)
  const url = new URL(process.env.TEST_DATABASE_URL)
  url.pathname = `/${rows[0].name}`
  other = await openDatabase({ url: url.toString(), dataDir: '', poolSize: 2 })
})

afterEach(async () => {
  await other?.close()
  other = undefined
})

class Released extends Error {}

/**
 * An audited change left open on the second connection: it holds the audit chain's lock, so any
 * other transaction stops at its first audit entry until `release()` (which rolls it back).
 */
async function holdAuditChain() {
  let release!: () => void
  const released = new Promise<void>((r) => (release = r))
  let held!: () => void
  const holding = new Promise<void>((r) => (held = r))
  const done = other!.db
    .transaction()
    .execute(async (trx) => {
      await appendAuditEntry(trx, { actor: null }, { action: 'test.hold_audit_chain' }, now())
      held()
      await released
      throw new Released()
    })
    .catch((error) => {
      if (!(error instanceof Released)) throw error
    })
  await holding
  return { release: () => (release(), done) }
}

/** Waits until `n` transactions of this database wait for a lock. */
async function waitForWaiters(n: number) {
  await vi.waitFor(
    async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
        where not l.granted and a.datname = current_database()`.execute(other!.db)
      expect(rows[0].n).toBe(n)
    },
    { timeout: 5000, interval: 20 },
  )
}

/** An owner's session and the signing-key form as the keys page shows it now (a key exists). */
async function ownerWithForm() {
  const cookie = await signIn(t.app, await createSuperAdmin(t.db, t.config), t.clock)
  const { kid } = await ensureActiveSigningKey(t.db, t.config, now())
  return { cookie, form: { kid, shownImpersonations: '0', shownKitSessions: '0' } }
}

function rotate(owner: { cookie: string; form: Record<string, string> }) {
  return postForm(t.app, '/settings/keys/signing-key', owner.form, owner.cookie)
}

/**
 * After both finished, the rotation replaced `retiredKid`, and either it ended `impersonationId` (and says so in its audit
 * entry), or the handoff in `url` names the key that is active now.
 */
async function expectEndedOrSignedWithNewKey(
  impersonationId: string,
  url: string,
  retiredKid: string,
) {
  const rotation = (await auditEntries(t.db, 'settings.signing_key.rotate')).at(-1)
  expect(rotation?.before, 'the rotation rotated the key the page showed').toEqual({
    kid: retiredKid,
  })
  const row = await t.db
    .selectFrom('impersonations')
    .select(['ended_at', 'end_reason'])
    .where('id', '=', impersonationId)
    .executeTakeFirstOrThrow()
  const endedByRotation = (rotation!.after as { endedImpersonations: string[] }).endedImpersonations
  const signedWith = decodeProtectedHeader(tokenOf(url)).kid
  const active = (await findActiveSigningKey(t.db))!.kid
  const outcome = {
    ended: row.ended_at !== null && endedByRotation.includes(impersonationId),
    signedWithNewKey: signedWith === active,
  }
  expect(outcome, 'live, with a handoff signed by the retired key').not.toEqual({
    ended: false,
    signedWithNewKey: false,
  })
  return outcome
}

describe('rotating the signing key while a handoff is being signed', () => {
  onServer(
    'an impersonation starting while the rotation runs is ended by it, or signed with the new key',
    async () => {
      const scene = await impersonationScene(t.db, t.config)
      const owner = await ownerWithForm()
      const hold = await holdAuditChain()

      const starting = startSceneImpersonation(t.db, t.config, scene, now())
      await waitForWaiters(1)
      const rotating = rotate(owner)
      await waitForWaiters(2)
      await hold.release()
      const started = await starting
      const res = await rotating

      expect(res.status).toBe(303)
      // The start had begun first: the rotation waited for it and ended it.
      expect(
        await expectEndedOrSignedWithNewKey(
          started.impersonation.id,
          started.handoffUrl,
          owner.form.kid,
        ),
      ).toEqual({ ended: true, signedWithNewKey: false })
    },
  )

  onServer(
    'an impersonation starting while the rotation commits waits for it and signs with the new key',
    async () => {
      const scene = await impersonationScene(t.db, t.config)
      const owner = await ownerWithForm()
      const hold = await holdAuditChain()

      const rotating = rotate(owner)
      await waitForWaiters(1)
      const starting = startSceneImpersonation(t.db, t.config, scene, now())
      await waitForWaiters(2)
      await hold.release()
      const res = await rotating
      const started = await starting

      expect(res.status).toBe(303)
      expect(
        await expectEndedOrSignedWithNewKey(
          started.impersonation.id,
          started.handoffUrl,
          owner.form.kid,
        ),
      ).toEqual({ ended: false, signedWithNewKey: true })
    },
  )

  onServer(
    'a handoff issued for a live impersonation while the rotation runs belongs to one it ends',
    async () => {
      const scene = await impersonationScene(t.db, t.config)
      const { impersonation } = await startSceneImpersonation(t.db, t.config, scene, now())
      const owner = await ownerWithForm()
      const hold = await holdAuditChain()

      const issuing = issueHandoff(
        t.db,
        { actor: scene.operator.admin },
        t.config,
        impersonation.id,
        scene.operator.admin,
        now(),
      )
      await waitForWaiters(1)
      const rotating = rotate(owner)
      await waitForWaiters(2)
      await hold.release()
      const issued = await issuing
      const res = await rotating

      expect(res.status).toBe(303)
      if (!issued.ok) throw new Error(`handoff refused: ${issued.reason}`)
      expect(
        await expectEndedOrSignedWithNewKey(impersonation.id, issued.handoffUrl, owner.form.kid),
      ).toEqual({
        ended: true,
        signedWithNewKey: false,
      })
    },
  )
})
