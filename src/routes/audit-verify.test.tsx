import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { listCheckpoints } from '../audit/checkpoint-store.js'
import { appendAuditEntry } from '../db/audit-log.js'
import { createSuperAdmin } from '../test-support/factories.js'
import { textOf, textsOf } from '../test-support/html.js'
import { followWithFlash } from '../test-support/plan-scenes.js'
import { getPage, postForm, signIn } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

// /audit/verify (issue 14 item 5): the verdict an operator reads, and signing a checkpoint.

const root = mkdtempSync(join(tmpdir(), 'fleetdeck-verify-route-'))
const dir = join(root, 'checkpoints')
const t = useTestApp({ AUDIT_CHECKPOINT_DIR: dir })
afterAll(() => rmSync(root, { recursive: true, force: true }))

async function verifyPage(cookie: string) {
  const res = await getPage(t.app, '/audit/verify', cookie)
  expect(res.status).toBe(200)
  return res.text()
}

async function append(count: number, tag: string) {
  for (let i = 0; i < count; i++)
    await t.db
      .transaction()
      .execute((trx) =>
        appendAuditEntry(trx, { actor: null }, { action: 'tenant.update', after: { tag, i } }),
      )
}

describe('the audit verification page', () => {
  it('an operator signs a checkpoint: flash with the seq, row, file, audit entry, OK verdict', async () => {
    const { owner, cookie } = await t.signedInOwner()

    const res = await postForm(t.app, '/audit/verify/checkpoints', {}, cookie)

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/audit/verify')
    const [row] = await listCheckpoints(t.db)
    expect(row).toMatchObject({ trigger: 'manual', createdBy: owner.admin.id })
    expect(row.file).toBe(join(dir, `checkpoint-${row.seq}.json`))
    const entry = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '=', row.seq)
      .executeTakeFirstOrThrow()
    expect(entry).toMatchObject({ action: 'audit.checkpoint', actor_id: owner.admin.id })
    const page = await followWithFlash(t.app, res, cookie)
    expect(page).toContain(`Checkpoint signed at seq ${row.seq}.`)
    expect(textOf(page, '#verdict-title')).toBe('OK: the audit log is intact')
    expect(textOf(page, '#checkpoint-verdict')).toBe('All 2 checkpoints match the log.')
    expect(textOf(page, `#checkpoint-${row.id}`)).toContain(row.kid)
  })

  it('a viewer sees the verdict but neither the sign button nor the right to sign', async () => {
    const viewer = await createSuperAdmin(t.db, t.config, { role: 'viewer' })
    const cookie = await signIn(t.app, viewer, t.clock)

    const page = await verifyPage(cookie)
    const res = await postForm(t.app, '/audit/verify/checkpoints', {}, cookie)

    expect(page).toContain('Audit chain verification')
    expect(page).not.toContain('Sign a checkpoint now')
    expect(res.status).toBe(403)
  })

  it('shows BROKEN and “Truncated” when the log was rebuilt shorter than a checkpoint', async () => {
    const { cookie } = await t.signedInOwner()
    await append(3, 'before')
    await postForm(t.app, '/audit/verify/checkpoints', {}, cookie)
    const [signed] = await listCheckpoints(t.db)
    // Rebuilt from scratch with valid hashes, the database's checkpoints gone: the file remains.
    await t.db.transaction().execute(async (trx) => {
      await sql`alter table audit_log disable trigger user`.execute(trx)
      await sql`truncate audit_log`.execute(trx)
      await sql`alter table audit_log enable trigger user`.execute(trx)
    })
    await t.db.deleteFrom('audit_checkpoints').execute()
    await append(2, 'rebuilt')

    const page = await verifyPage(cookie)

    expect(textOf(page, '#verdict-title')).toBe('BROKEN: the audit log was altered')
    expect(textOf(page, '#chain-verdict')).toMatch(/^Hash chain intact: \d+ entries/)
    const truncated = textsOf(page, 'tr[data-status="truncated"]')
    const row = truncated.find((r) => r.includes(`checkpoint-${signed.seq}.json`))
    expect(row).toContain(`Truncatedthe log ends at seq 2, before ${signed.seq}`)
  })

  it('says so when the checkpoint folder cannot be read, and the flash names a failed copy', async () => {
    const { cookie } = await t.signedInOwner()
    rmSync(dir, { recursive: true, force: true })
    writeFileSync(dir, 'a file where the folder should be')

    const res = await postForm(t.app, '/audit/verify/checkpoints', {}, cookie)
    const page = await followWithFlash(t.app, res, cookie)

    expect(page).toMatch(
      /Checkpoint signed at seq \d+ and stored, but the file could not be written/,
    )
    expect(page).toContain(`The checkpoint folder ${dir} could not be read`)
    expect(textOf(page, '#verdict-title')).toBe('BROKEN: the audit log was altered')
    const [row] = await listCheckpoints(t.db)
    expect(row.fileError).toBeTruthy()
    expect(page).toContain('Not written:')
    rmSync(dir, { force: true })
  })
})
