import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compactVerify, exportJWK, generateKeyPair, importJWK, CompactSign } from 'jose'
import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { rotateSigningKey } from '../auth/signing-keys.js'
import { appendAuditEntry, verifyAuditChain } from '../db/audit-log.js'
import { periodicTasks } from '../jobs/periodic-tasks.js'
import { createSuperAdmin } from '../test-support/factories.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { listCheckpoints } from './checkpoint-store.js'
import {
  readCheckpointDir,
  verifyAuditCheckpoints,
  verifyAuditEvidence,
} from './checkpoint-verify.js'
import {
  CHECKPOINT_TYP,
  signAuditCheckpoint,
  signNightlyCheckpoint,
  type CheckpointFile,
} from './checkpoints.js'

const t = useTestDatabase()
const T0 = new Date('2026-03-02T09:00:00.000Z')
let olive: { id: string; email: string }
let dir: string
let config: ReturnType<typeof testConfig>

beforeAll(async () => {
  const owner = await createSuperAdmin(t.db, testConfig(), { email: 'olive@example.com' })
  olive = { id: owner.admin.id, email: owner.admin.email }
  dir = join(mkdtempSync(join(tmpdir(), 'fleetdeck-checkpoints-')), 'out')
  config = testConfig({
    AUDIT_CHECKPOINT_DIR: dir,
    AUDIT_CHECKPOINT_MAIL_TO: 'auditor@example.com',
  })
})
afterAll(() => rmSync(join(dir, '..'), { recursive: true, force: true }))

beforeEach(async () => {
  await clearAuditLog()
  await t.db.deleteFrom('audit_checkpoints').execute()
  await t.db.deleteFrom('mail_outbox').execute()
  rmSync(dir, { recursive: true, force: true })
})

/** Empties the log the only way the database allows: with its guard triggers off. */
async function clearAuditLog(): Promise<void> {
  await t.db.transaction().execute(async (trx) => {
    await sql`alter table audit_log disable trigger user`.execute(trx)
    await sql`truncate audit_log`.execute(trx)
    await sql`alter table audit_log enable trigger user`.execute(trx)
  })
}

/** Appends `count` valid entries, one transaction each; `tag` makes their content differ. */
async function appendMany(count: number, tag = 'original'): Promise<void> {
  for (let i = 1; i <= count; i++) {
    await t.db
      .transaction()
      .execute((trx) =>
        appendAuditEntry(
          trx,
          { actor: olive },
          { action: 'tenant.update', targetId: `t${i}`, after: { tag, i } },
          new Date(T0.getTime() + i * 1000),
        ),
      )
  }
}

function sign(trigger: 'manual' | 'cli' = 'manual', now = T0) {
  return signAuditCheckpoint(t.db, { actor: olive }, { trigger, config }, now)
}

async function signOk(trigger: 'manual' | 'cli' = 'manual', now = T0) {
  const signed = await sign(trigger, now)
  if (!signed.ok) throw new Error(signed.reason)
  return signed
}

function statuses(verdict: { checkpoints: { claim: { source: string }; status: string }[] }) {
  return verdict.checkpoints.map((r) => `${r.claim.source}:${r.status}`)
}

describe('signAuditCheckpoint', () => {
  it('signs the head that includes its own audit entry, stores the row, writes the file and mails it', async () => {
    await appendMany(3)

    const signed = await signOk()

    const entry = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow()
    expect(entry).toMatchObject({ seq: 4, action: 'audit.checkpoint', actor_id: olive.id })
    expect(signed.checkpoint).toMatchObject({ seq: 4, hash: entry.hash, time: T0.toISOString() })
    const [row] = await listCheckpoints(t.db)
    expect(row).toMatchObject({ seq: 4, hash: entry.hash, trigger: 'manual', createdBy: olive.id })
    expect(row.file).toBe(join(dir, 'checkpoint-4.json'))
    expect(row.mailedAt).toEqual(T0)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(row.file!).mode & 0o777).toBe(0o600)
    const file = JSON.parse(readFileSync(row.file!, 'utf8')) as CheckpointFile
    expect(file).toMatchObject({ seq: 4, hash: entry.hash, kid: row.kid, jws: row.jws })
    // Anyone holding the file can check it with the key it names (and the published JWKS).
    const verified = await compactVerify(file.jws, await importJWK(file.publicJwk, 'EdDSA'))
    expect(verified.protectedHeader).toMatchObject({
      alg: 'EdDSA',
      kid: row.kid,
      typ: CHECKPOINT_TYP,
    })
    expect(JSON.parse(new TextDecoder().decode(verified.payload))).toEqual({
      typ: CHECKPOINT_TYP,
      seq: 4,
      hash: entry.hash,
      time: T0.toISOString(),
    })
    const mail = await t.db.selectFrom('mail_outbox').selectAll().executeTakeFirstOrThrow()
    expect(mail.to_address).toBe('auditor@example.com')
    expect(JSON.parse(mail.body)).toEqual(file)
  })

  it('keeps the row and records the error when the file cannot be written', async () => {
    const blocker = join(dir, '..', 'a-file')
    writeFileSync(blocker, 'not a folder')
    const blocked = testConfig({ AUDIT_CHECKPOINT_DIR: join(blocker, 'sub') })

    const signed = await signAuditCheckpoint(
      t.db,
      { actor: null },
      { trigger: 'cli', config: blocked },
      T0,
    )

    expect(signed.ok && 'error' in signed.file).toBe(true)
    const [row] = await listCheckpoints(t.db)
    expect(row).toMatchObject({ seq: 1, trigger: 'cli', file: null })
    expect(row.fileError).toMatch(/ENOTDIR|EEXIST/)
    expect((await verifyAuditEvidence(t.db)).ok).toBe(true)
  })
})

describe('verifyAuditEvidence', () => {
  it('is OK for an intact chain that goes on past its checkpoints', async () => {
    await appendMany(2)
    await signOk()
    await appendMany(2, 'later')
    await signOk('cli')
    await appendMany(1, 'latest')

    const verdict = await verifyAuditEvidence(t.db, { dir })

    expect(verdict.ok).toBe(true)
    expect(verdict.headSeq).toBe(7)
    expect(statuses(verdict)).toEqual(['database:ok', 'database:ok', 'file:ok', 'file:ok'])
  })

  it('a checkpoint still verifies after the signing key was rotated', async () => {
    await signOk()
    expect((await rotateSigningKey(t.db, config, T0)).ok).toBe(true)

    const verdict = await verifyAuditEvidence(t.db, { dir })

    expect(statuses(verdict)).toEqual(['database:ok', 'file:ok'])
  })

  it('reports truncation when the log was rebuilt shorter from scratch with valid hashes', async () => {
    await appendMany(5)
    await signOk() // seq 6
    await appendMany(2, 'after')
    // Someone with DDL rights empties the log and re-appends fewer, perfectly chained entries,
    // and removes the database's checkpoints too: only the file outside remains.
    await clearAuditLog()
    await appendMany(3, 'rebuilt')
    await t.db.deleteFrom('audit_checkpoints').execute()

    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, checked: 3 })
    const verdict = await verifyAuditEvidence(t.db, { dir })

    expect(verdict.ok).toBe(false)
    expect(verdict.chain.ok).toBe(true)
    expect(statuses(verdict)).toEqual(['file:truncated'])
    expect(verdict.checkpoints[0].detail).toBe('the log ends at seq 3, before 6')
  })

  it('reports rewriting when the row at the checkpoint has another, re-chained hash', async () => {
    await appendMany(5)
    await signOk() // seq 6
    await clearAuditLog()
    await appendMany(8, 'rewritten')

    expect((await verifyAuditChain(t.db)).ok).toBe(true)
    const verdict = await verifyAuditEvidence(t.db, { dir })

    expect(verdict.ok).toBe(false)
    expect(statuses(verdict)).toEqual(['database:rewritten', 'file:rewritten'])
  })

  it('refuses a checkpoint file whose stated head differs from what was signed', async () => {
    await appendMany(2)
    const signed = await signOk()
    const path = join(dir, 'checkpoint-3.json')
    const file = JSON.parse(readFileSync(path, 'utf8')) as CheckpointFile
    writeFileSync(path, JSON.stringify({ ...file, hash: 'f'.repeat(64) }))

    const { claims } = await readCheckpointDir(dir)
    const { results } = await verifyAuditCheckpoints(t.db, claims)

    expect(results.map((r) => r.status)).toEqual(['forged'])
    expect(signed.checkpoint.hash).not.toBe('f'.repeat(64))
  })

  it('refuses a file signed with another key, whether it names a known kid or its own', async () => {
    await appendMany(2)
    const real = (await signOk()).checkpoint
    const attacker = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
    const attackerJwk = await exportJWK(attacker.publicKey)
    const forge = async (kid: string) => {
      const payload = { typ: CHECKPOINT_TYP, seq: 9, hash: 'a'.repeat(64), time: real.time }
      const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: CHECKPOINT_TYP })
        .sign(attacker.privateKey)
      return { ...payload, kid, jws, publicJwk: { ...attackerJwk, kid } }
    }
    writeFileSync(join(dir, 'checkpoint-9.json'), JSON.stringify(await forge(real.kid)))
    writeFileSync(join(dir, 'checkpoint-10.json'), JSON.stringify(await forge('attacker')))
    writeFileSync(join(dir, 'checkpoint-11.json'), '{ not json')

    const verdict = await verifyAuditEvidence(t.db, { dir })

    expect(verdict.ok).toBe(false)
    expect(statuses(verdict)).toEqual([
      'database:ok',
      'file:ok',
      'file:key-mismatch',
      'file:unknown-key',
      'file:unreadable',
    ])
  })
})

describe('the nightly checkpoint', () => {
  it('signs once per UTC day, from 02:00', async () => {
    const at = (iso: string) => signNightlyCheckpoint(t.db, config, new Date(iso))

    expect(await at('2026-03-02T01:59:00Z')).toEqual({ ok: false, reason: 'not_due' })
    expect((await at('2026-03-02T02:00:00Z')).ok).toBe(true)
    expect(await at('2026-03-02T03:00:00Z')).toEqual({ ok: false, reason: 'not_due' })
    expect(await at('2026-03-02T23:59:00Z')).toEqual({ ok: false, reason: 'not_due' })
    expect((await at('2026-03-03T05:00:00Z')).ok).toBe(true)

    const rows = await listCheckpoints(t.db)
    expect(rows.map((r) => [r.trigger, r.signedAt.toISOString()])).toEqual([
      ['schedule', '2026-03-03T05:00:00.000Z'],
      ['schedule', '2026-03-02T02:00:00.000Z'],
    ])
  })

  it('a manual checkpoint does not stand in for the nightly one', async () => {
    await signOk('manual', new Date('2026-03-02T02:30:00Z'))

    const nightly = await signNightlyCheckpoint(t.db, config, new Date('2026-03-02T03:00:00Z'))

    expect(nightly.ok).toBe(true)
  })

  it('is one of the scheduler periodic tasks, checked hourly', () => {
    const task = periodicTasks(t.database, config).find((p) => p.name === 'audit-checkpoint')
    expect(task?.intervalMs).toBe(60 * 60_000)
  })
})
