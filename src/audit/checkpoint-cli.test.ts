import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { appendAuditEntry } from '../db/audit-log.js'
import { testConfig, useTestDatabase } from '../test-support/test-app.js'
import { runAuditVerify } from './checkpoint-cli.js'

// `npm run audit:verify -- --checkpoints DIR [--sign]` (issue 14 item 5): lines and exit codes.

const t = useTestDatabase()
const root = mkdtempSync(join(tmpdir(), 'fleetdeck-verify-cli-'))
const dir = join(root, 'checkpoints')
const config = testConfig({ AUDIT_CHECKPOINT_DIR: dir })
afterAll(() => rmSync(root, { recursive: true, force: true }))

beforeEach(async () => {
  await clearAuditLog()
  await t.db.deleteFrom('audit_checkpoints').execute()
  rmSync(dir, { recursive: true, force: true })
})

async function clearAuditLog() {
  await t.db.transaction().execute(async (trx) => {
    await sql`alter table audit_log disable trigger user`.execute(trx)
    await sql`truncate audit_log`.execute(trx)
    await sql`alter table audit_log enable trigger user`.execute(trx)
  })
}

async function append(count: number, tag: string) {
  for (let i = 0; i < count; i++)
    await t.db
      .transaction()
      .execute((trx) =>
        appendAuditEntry(trx, { actor: null }, { action: 'tenant.update', after: { tag, i } }),
      )
}

async function cli(...argv: string[]) {
  const lines: string[] = []
  const code = await runAuditVerify(t.db, config, argv, (line) => lines.push(line))
  return { code, lines }
}

describe('audit:verify', () => {
  it('--sign signs a checkpoint, then --checkpoints DIR verifies it: one line each, OK, exit 0', async () => {
    await append(4, 'a')

    const signed = await cli('--sign')
    const verified = await cli('--checkpoints', dir)

    expect(signed.code).toBe(0)
    expect(signed.lines[0]).toBe(`Checkpoint signed at seq 5 (${join(dir, 'checkpoint-5.json')})`)
    expect(verified.code).toBe(0)
    expect(verified.lines[0]).toBe('OK: 5 entries, chain intact')
    expect(verified.lines.slice(1, 3)).toEqual([
      expect.stringMatching(
        /^checkpoint seq 5 \(database #\d+, key \S+\): OK: row 5 has the signed hash$/,
      ),
      expect.stringMatching(/^checkpoint seq 5 \(file \S+checkpoint-5\.json, key \S+\): OK: /),
    ])
    expect(verified.lines.at(-1)).toBe('OK')
  })

  it('a log rebuilt shorter with valid hashes: chain OK, the file says TRUNCATED, BROKEN, exit 1', async () => {
    await append(4, 'a')
    await cli('--sign')
    await clearAuditLog()
    await t.db.deleteFrom('audit_checkpoints').execute()
    await append(2, 'rebuilt')

    const run = await cli('--checkpoints', dir)

    expect(run.code).toBe(1)
    expect(run.lines).toEqual([
      'OK: 2 entries, chain intact',
      expect.stringMatching(
        /^checkpoint seq 5 \(file .+\): TRUNCATED: the log ends at seq 2, before 5$/,
      ),
      'BROKEN',
    ])
  })

  it('a folder that does not exist proves nothing: BROKEN, exit 1; unknown options exit 2', async () => {
    const missing = await cli('--checkpoints', join(root, 'nowhere'))
    const wrong = await cli('--checkpoint', dir)

    expect(missing.code).toBe(1)
    expect(missing.lines).toContain(`BROKEN: checkpoint folder ${join(root, 'nowhere')} not found`)
    expect(wrong.code).toBe(2)
    expect(wrong.lines.join('\n')).toContain('usage: npm run audit:verify')
  })
})
