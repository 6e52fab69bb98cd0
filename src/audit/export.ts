import { stringify } from 'csv-stringify/sync'
import {
  appendAuditEntry,
  type AuditContext,
  type AuditFilter,
  type AuditListEntry,
} from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import type { TenantScope } from '../db/tenant-scope.js'

// Audit export (issue 14 item 4, seed 001 "export to CSV from any filter scope"). The export is
// pinned to the chain head at the moment it starts (`seq <= headSeq`), so the row count written
// to its own audit entry is exactly what the file holds, and entries written while it streams
// (including the `audit.export` entry itself) stay out. Rows leave in ascending `seq`, the chain's
// own order: an auditor reads it chronologically, can re-hash it front to back, and a keyset
// cursor on an append-only log never skips or repeats a row.

/** Rows per query: each is a short indexed read, so other requests interleave on PGlite. */
export const EXPORT_BATCH_SIZE = 2000

export type AuditExportFormat = 'csv' | 'jsonl'

/** The filters of the /audit page that an export honours (no paging: it takes every match). */
export type AuditExportFilter = Omit<AuditFilter, 'beforeSeq' | 'limit'>

export type AuditExportRequest = {
  filter: AuditExportFilter
  /** The console scope (DESIGN.md §11): a customer scope exports only that tenant's entries. */
  scope: TenantScope
  format: AuditExportFormat
  /** CSV only: start with a UTF-8 byte order mark, so Excel reads the file as UTF-8. */
  bom: boolean
}

export type AuditExport = {
  /** The chain head the export is pinned to: it holds matching rows with `seq <= headSeq`. */
  headSeq: number
  /** How many rows the stream yields (not counting the CSV header). */
  rowCount: number
  /** `seq` of the `audit.export` entry recording this export. */
  entrySeq: number
  contentType: string
  /** `fleetdeck-audit-YYYY-MM-DD.csv` or `.jsonl`, the UTC day of `now`. */
  filename: string
  /** The file, produced only as the consumer pulls: one batch query per chunk, none ahead. */
  stream: ReadableStream<Uint8Array>
}

/** Injection points for tests and the bench: the batch size and a hook that sees each query. */
export type AuditExportOptions = { batchSize?: number; onBatch?: (afterSeq: number) => void }

/** Every column of audit_log in table order, with the tenant's slug after tenant_id. */
export const AUDIT_EXPORT_COLUMNS = [
  'seq',
  'created_at',
  'actor_id',
  'actor_email',
  'impersonated_user_id',
  'impersonated_tenant_id',
  'action',
  'target_type',
  'target_id',
  'tenant_id',
  'tenant_slug',
  'before',
  'after',
  'request_id',
  'ip',
  'user_agent',
  'batch_id',
  'api_token_id',
  'approved_by_id',
  'approved_by_email',
  'prev_hash',
  'hash',
] as const

/**
 * Starts an export of the audit log: reads the chain head, counts the rows the filter and scope
 * match up to it, records `audit.export` (after: filter, scope, format, bom, headSeq, rowCount) in
 * its own transaction, then returns a stream of the file. The stream pulls rows in keyset batches
 * of `batchSize` (default EXPORT_BATCH_SIZE) in ascending `seq`, one query per chunk the consumer
 * asks for, so memory stays flat whatever the size of the log.
 * CSV: RFC 4180 (header row, CRLF records, fields quoted when they hold a comma, quote, CR or LF),
 * before/after as JSON text, and cells starting with `=`, `+`, `-`, `@`, TAB or CR prefixed with
 * `'` (OWASP "CSV Injection"). JSON Lines: one object per line, before/after as JSON values.
 * @param now the moment of the export (entry time and file name)
 */
export async function exportAuditLog(
  db: Db,
  ctx: AuditContext,
  request: AuditExportRequest,
  now: Date = new Date(),
  options: AuditExportOptions = {},
): Promise<AuditExport> {
  const headSeq = await readHeadSeq(db)
  const { count } = await matching(db, request)
    .where('audit_log.seq', '<=', headSeq)
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow()
  const rowCount = Number(count)
  const { seq: entrySeq } = await db.transaction().execute((trx) =>
    appendAuditEntry(
      trx,
      ctx,
      {
        action: 'audit.export',
        targetType: 'audit_log',
        tenantId: request.scope.tenantId ?? request.filter.tenantId ?? null,
        after: {
          filter: describeFilter(request.filter),
          scope: request.scope.tenantId ? { tenantId: request.scope.tenantId } : 'all',
          format: request.format,
          bom: request.format === 'csv' && request.bom,
          headSeq,
          rowCount,
        },
      },
      now,
    ),
  )
  const extension = request.format === 'csv' ? 'csv' : 'jsonl'
  return {
    headSeq,
    rowCount,
    entrySeq,
    contentType:
      request.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    filename: `fleetdeck-audit-${now.toISOString().slice(0, 10)}.${extension}`,
    stream: exportStream(db, request, headSeq, options),
  }
}

async function readHeadSeq(db: Db): Promise<number> {
  const row = await db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.max('seq').as('head'))
    .executeTakeFirst()
  return Number(row?.head ?? 0)
}

/** audit_log joined to tenants, narrowed by the filter and the scope; no columns chosen yet. */
function matching(db: Db, { filter, scope }: AuditExportRequest) {
  let query = db.selectFrom('audit_log').leftJoin('tenants', 'tenants.id', 'audit_log.tenant_id')
  if (scope.tenantId) query = query.where('audit_log.tenant_id', '=', scope.tenantId)
  if (filter.tenantId) query = query.where('audit_log.tenant_id', '=', filter.tenantId)
  if (filter.action) query = query.where('audit_log.action', '=', filter.action)
  if (filter.actorId) query = query.where('audit_log.actor_id', '=', filter.actorId)
  if (filter.batchId) query = query.where('audit_log.batch_id', '=', filter.batchId)
  if (filter.target)
    query = query
      .where('audit_log.target_type', '=', filter.target.type)
      .where('audit_log.target_id', '=', filter.target.id)
  if (filter.from) query = query.where('audit_log.created_at', '>=', filter.from)
  if (filter.to) query = query.where('audit_log.created_at', '<', filter.to)
  return query
}

/** The filter as the audit entry records it: only the fields set, dates as ISO text. */
function describeFilter(filter: AuditExportFilter): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(filter))
    if (value !== undefined) out[key] = value instanceof Date ? value.toISOString() : value
  return out
}

function exportStream(
  db: Db,
  request: AuditExportRequest,
  headSeq: number,
  { batchSize = EXPORT_BATCH_SIZE, onBatch }: AuditExportOptions,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  let afterSeq = 0
  let first = true
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        onBatch?.(afterSeq)
        const rows = await matching(db, request)
          .selectAll('audit_log')
          .select('tenants.slug as tenant_slug')
          .where('audit_log.seq', '>', afterSeq)
          .where('audit_log.seq', '<=', headSeq)
          .orderBy('audit_log.seq', 'asc')
          .limit(batchSize)
          .execute()
        const header = first
        first = false
        const text =
          request.format === 'csv'
            ? csvChunk(rows, header, header && request.bom)
            : rows.map((row) => JSON.stringify(jsonRecord(row)) + '\n').join('')
        if (text) controller.enqueue(encoder.encode(text))
        if (rows.length < batchSize) return controller.close()
        afterSeq = rows[rows.length - 1].seq
      },
    },
    // No read-ahead: pull runs only while a read is waiting.
    { highWaterMark: 0 },
  )
}

function csvChunk(rows: AuditListEntry[], header: boolean, bom: boolean): string {
  const text = stringify(rows.map(csvRecord), {
    header,
    columns: [...AUDIT_EXPORT_COLUMNS],
    record_delimiter: 'windows',
    escape_formulas: true,
  })
  // An empty batch after the first still owes nothing; the first always carries the header.
  return bom ? '\uFEFF' + text : text
}

/** One row as CSV cells: text for every column, '' for null, before/after as JSON text. */
function csvRecord(row: AuditListEntry): Record<string, string> {
  const record = jsonRecord(row)
  const cells: Record<string, string> = {}
  for (const column of AUDIT_EXPORT_COLUMNS) {
    const value = record[column]
    cells[column] =
      value === null || value === undefined
        ? ''
        : column === 'before' || column === 'after'
          ? JSON.stringify(value)
          : String(value)
  }
  return cells
}

/** One row as a JSON Lines object: every column, times in ISO 8601 UTC. */
function jsonRecord(row: AuditListEntry): Record<(typeof AUDIT_EXPORT_COLUMNS)[number], unknown> {
  const record = {} as Record<(typeof AUDIT_EXPORT_COLUMNS)[number], unknown>
  for (const column of AUDIT_EXPORT_COLUMNS) {
    const value = (row as Record<string, unknown>)[column]
    record[column] = value instanceof Date ? value.toISOString() : (value ?? null)
  }
  return record
}
