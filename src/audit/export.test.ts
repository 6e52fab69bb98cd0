import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { appendAuditEntry, type AuditContext, type AuditEntry } from '../db/audit-log.js'
import { createTenant } from '../test-support/factories.js'
import { useTestApp } from '../test-support/test-app.js'
import {
  AUDIT_EXPORT_COLUMNS,
  exportAuditLog,
  type AuditExportOptions,
  type AuditExportRequest,
} from './export.js'

// The exporter itself (issue 14 item 4): file formats, escaping, the chain-head pin, the audit
// entry, and backpressure.

const t = useTestApp()
const ctx: AuditContext = { actor: null, requestId: 'req-export-test' }

/** A fresh action name, so each test exports only its own rows. */
const uniqueAction = () => `test.export.${randomUUID().slice(0, 8)}`

async function append(entries: AuditEntry[], context: AuditContext = { actor: null }) {
  await t.db.transaction().execute(async (trx) => {
    for (const entry of entries) await appendAuditEntry(trx, context, entry)
  })
}

function request(over: Partial<AuditExportRequest> & { action: string }): AuditExportRequest {
  const { action, ...rest } = over
  return { filter: { action }, scope: {}, format: 'csv', bom: false, ...rest }
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer())
}

/** RFC 4180 records: quoted fields may hold commas, quotes ("" inside) and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let i = 0
  while (i < text.length) {
    if (text[i] === '"') {
      // A quoted field: "" is one quote, a lone " ends it.
      for (i++; !(text[i] === '"' && text[i + 1] !== '"'); i++) {
        if (i >= text.length) throw new Error('unterminated quoted field')
        field += text[i]
        if (text[i] === '"') i++
      }
      i++
    } else if (text[i] === ',') {
      record.push(field)
      field = ''
      i++
    } else if (text.startsWith('\r\n', i)) {
      record.push(field)
      records.push(record)
      record = []
      field = ''
      i += 2
    } else field += text[i++]
  }
  if (field || record.length) throw new Error('the file does not end with CRLF')
  return records
}

async function csvRows(req: AuditExportRequest, options?: AuditExportOptions) {
  const result = await exportAuditLog(t.db, ctx, req, new Date(), options)
  const [header, ...rows] = parseCsv((await bytesOf(result.stream)).toString('utf8'))
  return {
    result,
    header,
    rows: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))),
  }
}

describe('CSV export', () => {
  it('quotes commas, quotes and line breaks (RFC 4180), keeps non-ASCII, ends records with CRLF', async () => {
    const action = uniqueAction()
    const awkward = 'Mozilla, "quoted"\r\nsecond line\nthird é ü 日本 🙂'
    await append([{ action, targetType: 'note', targetId: awkward }], {
      actor: null,
      userAgent: awkward,
    })

    const result = await exportAuditLog(t.db, ctx, request({ action }))
    const text = (await bytesOf(result.stream)).toString('utf8')

    expect(text).toContain(`"Mozilla, ""quoted""\r\nsecond line\nthird é ü 日本 🙂"`)
    const [, row] = parseCsv(text)
    expect(row[AUDIT_EXPORT_COLUMNS.indexOf('user_agent')]).toBe(awkward)
    expect(row[AUDIT_EXPORT_COLUMNS.indexOf('target_id')]).toBe(awkward)
  })

  it('starts with a UTF-8 BOM only when asked', async () => {
    const action = uniqueAction()
    await append([{ action }])

    const withBom = await bytesOf(
      (await exportAuditLog(t.db, ctx, request({ action, bom: true }))).stream,
    )
    const without = await bytesOf((await exportAuditLog(t.db, ctx, request({ action }))).stream)

    expect([...withBom.subarray(0, 4)]).toEqual([0xef, 0xbb, 0xbf, 0x73]) // BOM, then "seq"
    expect(without.subarray(0, 3).toString()).toBe('seq')
    expect(withBom.subarray(3).equals(without)).toBe(true)
  })

  it('neutralises cells starting with = + - @ TAB or CR with a leading quote, and only those', async () => {
    const action = uniqueAction()
    const starts = ['=1+1', '+41 22', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd', 'a=b', 'x-1', '1+1']
    await append(starts.map((targetId) => ({ action, targetType: 'cell', targetId })))

    const { rows } = await csvRows(request({ action }))

    expect(rows.map((r) => r.target_id)).toEqual([
      "'=1+1",
      "'+41 22",
      "'-2+3",
      "'@SUM(A1)",
      "'\tcmd",
      "'\rcmd",
      'a=b',
      'x-1',
      '1+1',
    ])
  })

  it('has every audit_log column and the tenant slug, before/after as JSON text', async () => {
    const action = uniqueAction()
    const tenant = await createTenant(t.db, { slug: `exp-${randomUUID().slice(0, 6)}` })
    const approver = { id: randomUUID(), email: 'second@example.com' }
    await append(
      [
        {
          action,
          tenantId: tenant.id,
          targetType: 'tenant',
          targetId: tenant.id,
          before: { name: 'Old, "one"' },
          after: { name: 'New', tags: ['a', 'b'] },
        },
      ],
      { actor: null, apiTokenId: 'tok_123', approvedBy: approver, ip: '203.0.113.7' },
    )

    const { header, rows } = await csvRows(request({ action }))
    const stored = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', action)
      .executeTakeFirstOrThrow()

    const columns = Object.keys(stored).filter((k) => k !== 'tenant_slug')
    expect(header).toEqual([...AUDIT_EXPORT_COLUMNS])
    expect(columns.every((c) => header.includes(c))).toBe(true)
    expect(rows[0]).toMatchObject({
      seq: String(stored.seq),
      created_at: stored.created_at.toISOString(),
      tenant_id: tenant.id,
      tenant_slug: tenant.slug,
      api_token_id: 'tok_123',
      approved_by_id: approver.id,
      approved_by_email: approver.email,
      ip: '203.0.113.7',
      actor_id: '',
      hash: stored.hash,
      prev_hash: stored.prev_hash,
    })
    expect(JSON.parse(rows[0].before)).toEqual({ name: 'Old, "one"' })
    expect(JSON.parse(rows[0].after)).toEqual({ name: 'New', tags: ['a', 'b'] })
  })
})

describe('JSON Lines export', () => {
  it('is one JSON object per line, equal to the rows, before/after as JSON values', async () => {
    const action = uniqueAction()
    await append([
      { action, targetId: 'one', after: { n: 1 } },
      { action, targetId: 'two', before: { n: 1 }, after: { n: 2, s: 'é\n"' } },
    ])

    const result = await exportAuditLog(t.db, ctx, request({ action, format: 'jsonl' }))
    const text = (await bytesOf(result.stream)).toString('utf8')
    const stored = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', action)
      .orderBy('seq')
      .execute()

    expect(result.contentType).toBe('application/x-ndjson; charset=utf-8')
    expect(text.endsWith('\n')).toBe(true)
    const lines = text.trimEnd().split('\n')
    expect(lines.map((l) => JSON.parse(l))).toEqual(
      stored.map((row) => ({
        ...row,
        created_at: row.created_at.toISOString(),
        tenant_slug: null,
      })),
    )
  })
})

describe('what an export holds', () => {
  it('honours the filter and the scope together', async () => {
    const action = uniqueAction()
    const [a, b] = await Promise.all([
      createTenant(t.db, { slug: `exa-${randomUUID().slice(0, 6)}` }),
      createTenant(t.db, { slug: `exb-${randomUUID().slice(0, 6)}` }),
    ])
    await append([
      { action, tenantId: a.id },
      { action, tenantId: a.id },
      { action, tenantId: b.id },
      { action: `${action}.other`, tenantId: a.id },
    ])

    const scoped = await csvRows(request({ action, scope: { tenantId: a.id } }))
    const both = await csvRows({
      ...request({ action }),
      filter: { action, tenantId: b.id },
      scope: { tenantId: a.id },
    })
    const future = await csvRows({
      ...request({ action }),
      filter: { action, from: new Date(Date.now() + 86_400_000) },
    })

    expect(scoped.rows.map((r) => r.tenant_id)).toEqual([a.id, a.id])
    expect(scoped.result.rowCount).toBe(2)
    expect(both.rows).toEqual([])
    expect(both.result.rowCount).toBe(0)
    expect(future.rows).toEqual([])
  })

  it('records audit.export with the filter, scope, format, chain head and row count', async () => {
    const action = uniqueAction()
    await append([{ action }, { action }, { action }])
    const context: AuditContext = { actor: null, requestId: 'req-42', ip: '198.51.100.1' }

    const result = await exportAuditLog(t.db, context, {
      ...request({ action }),
      filter: { action, from: new Date('2020-01-01T00:00:00Z') },
      format: 'jsonl',
    })
    const entry = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '=', result.entrySeq)
      .executeTakeFirstOrThrow()

    expect(entry.action).toBe('audit.export')
    expect(entry.request_id).toBe('req-42')
    expect(entry.seq).toBeGreaterThan(result.headSeq)
    expect(entry.after).toEqual({
      filter: { action, from: '2020-01-01T00:00:00.000Z' },
      scope: 'all',
      format: 'jsonl',
      bom: false,
      headSeq: result.headSeq,
      rowCount: 3,
    })
  })

  it('stops at the chain head of its start: rows written while it streams are not included', async () => {
    const action = uniqueAction()
    await append([{ action }, { action }, { action }])

    const result = await exportAuditLog(
      t.db,
      ctx,
      request({ action, format: 'jsonl' }),
      undefined,
      {
        batchSize: 2,
      },
    )
    await append([{ action }, { action }])
    const lines = (await bytesOf(result.stream)).toString().trimEnd().split('\n')

    expect(result.rowCount).toBe(3)
    expect(lines).toHaveLength(3)
    expect(lines.map((l) => JSON.parse(l).seq).every((seq) => seq <= result.headSeq)).toBe(true)
  })

  it('pages through batches in ascending seq without losing or repeating a row', async () => {
    const action = uniqueAction()
    await append(Array.from({ length: 7 }, (_, i) => ({ action, targetId: String(i) })))

    const { rows } = await csvRows(request({ action }), { batchSize: 3 })

    expect(rows.map((r) => r.target_id)).toEqual(['0', '1', '2', '3', '4', '5', '6'])
    const seqs = rows.map((r) => Number(r.seq))
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
  })
})

describe('backpressure', () => {
  it('a consumer that reads one chunk and stops has caused at most two batch queries', async () => {
    const action = uniqueAction()
    await append(Array.from({ length: 10 }, () => ({ action })))
    const queries: number[] = []

    const result = await exportAuditLog(t.db, ctx, request({ action }), undefined, {
      batchSize: 2,
      onBatch: (afterSeq) => queries.push(afterSeq),
    })
    expect(queries).toEqual([]) // nothing is read before the consumer asks
    const reader = result.stream.getReader()
    const first = await reader.read()
    await new Promise((resolve) => setTimeout(resolve, 50))

    expect(first.done).toBe(false)
    expect(queries.length).toBeGreaterThanOrEqual(1)
    expect(queries.length).toBeLessThanOrEqual(2)
    await reader.cancel()
  })
})
