import { createHash } from 'node:crypto'
import { sql, type Transaction } from 'kysely'
import type { Db } from './database.js'
import type { AuditFacetRow, AuditLogRow, Database } from './schema.js'
import type { TenantScope } from './tenant-scope.js'

/** prev_hash of the first row of the chain. */
export const GENESIS_HASH = '0'.repeat(64)

/** Arbitrary, fixed key of the transaction-level advisory lock that serialises the chain. */
const AUDIT_CHAIN_LOCK = 7_346_210_001

/** Who did it and from where: one per request, or one per CLI run. */
export type AuditContext = {
  actor?: { id: string; email: string } | null
  requestId?: string | null
  ip?: string | null
  userAgent?: string | null
  batchId?: string | null
  /** The API token a REST call came through (issue 14): recorded as audit_log.api_token_id. */
  apiTokenId?: string | null
  /**
   * The second operator who approved a dual-control request (issue 14); the entry's actor stays
   * the requester, who the change runs as.
   */
  approvedBy?: { id: string; email: string } | null
}

export type AuditEntry = {
  action: string
  targetType?: string | null
  targetId?: string | null
  tenantId?: string | null
  before?: unknown
  after?: unknown
  impersonatedUserId?: string | null
  impersonatedTenantId?: string | null
}

type ChainFields = Omit<AuditLogRow, 'prev_hash' | 'hash'>

/**
 * Appends one entry to `public.audit_log`, hash-chained to the previous one (DESIGN.md §7):
 * `hash = sha256(prev_hash ‖ "\n" ‖ canonical row)`. Must run inside the transaction that makes
 * the change, so the entry and the change commit or roll back together; a transaction-level
 * advisory lock orders concurrent writers so `seq` has no gaps and no forks.
 * The entry's action and actor join the audit page's filter lists (audit_facets) in the same
 * transaction.
 * @param trx a Kysely transaction (`db.isTransaction` must be true)
 * @returns the new row's `seq` and `hash`
 * @throws Error when called outside a transaction
 */
export async function appendAuditEntry(
  trx: Transaction<Database>,
  context: AuditContext,
  entry: AuditEntry,
  now: Date = new Date(),
): Promise<{ seq: number; hash: string }> {
  if (!trx.isTransaction) throw new Error('appendAuditEntry must run inside a transaction')
  const head = chainHeads.get(trx) ?? (await readChainHead(trx))
  const row: ChainFields = {
    seq: head.seq + 1,
    created_at: now,
    actor_id: uuidText(context.actor?.id),
    actor_email: context.actor?.email ?? null,
    impersonated_user_id: uuidText(entry.impersonatedUserId),
    impersonated_tenant_id: uuidText(entry.impersonatedTenantId),
    action: entry.action,
    target_type: entry.targetType ?? null,
    target_id: entry.targetId ?? null,
    tenant_id: uuidText(entry.tenantId),
    before: normaliseJson(entry.before),
    after: normaliseJson(entry.after),
    request_id: context.requestId ?? null,
    ip: context.ip ?? null,
    user_agent: context.userAgent ?? null,
    batch_id: uuidText(context.batchId),
    api_token_id: context.apiTokenId ?? null,
    approved_by_id: uuidText(context.approvedBy?.id),
    approved_by_email: context.approvedBy?.email ?? null,
  }
  const prevHash = head.hash
  const hash = chainHash(prevHash, row)
  await trx
    .insertInto('audit_log')
    .values({
      ...row,
      before: row.before === null ? null : JSON.stringify(row.before),
      after: row.after === null ? null : JSON.stringify(row.after),
      prev_hash: prevHash,
      hash,
    })
    .execute()
  chainHeads.set(trx, { seq: row.seq, hash, facets: head.facets })
  const facet = `${row.action}\n${row.actor_id}\n${row.actor_email}`
  if (!head.facets.has(facet)) {
    await recordAuditFacets(trx, row.action, row.actor_id, row.actor_email)
    head.facets.add(facet)
  }
  return { seq: row.seq, hash }
}

type ChainHead = { seq: number; hash: string; facets: Set<string> }

/**
 * The chain's head as each open transaction last wrote it. The advisory lock is held until that
 * transaction ends, so nobody else can append meanwhile: the next append in the same transaction
 * (a bulk batch writes thousands) needs neither the lock nor the read again, only its insert.
 * Keyed by the Transaction object; another object over the same connection misses and reads
 * again, and a stale head could only collide on the `seq` primary key (an error, never a fork).
 */
const chainHeads = new WeakMap<object, ChainHead>()

/** Takes the chain's lock for the rest of the transaction and reads its last row. */
async function readChainHead(trx: Transaction<Database>): Promise<ChainHead> {
  await sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`.execute(trx)
  const last = await trx
    .selectFrom('audit_log')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst()
  return { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH, facets: new Set() }
}

/**
 * A uuid as PostgreSQL prints it back (lower case, hyphenated), so the hash is computed over what
 * verification will read: an id taken from a URL in upper case must not look like tampering.
 * Anything that is not 32 hex digits is left for the insert to refuse.
 */
function uuidText(value: string | null | undefined): string | null {
  if (value == null) return null
  const hex = value.replace(/^\{|\}$|-/g, '').toLowerCase()
  if (!/^[0-9a-f]{32}$/.test(hex)) return value
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** The JSON value as jsonb will give it back (Dates become strings, undefined disappears). */
function normaliseJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value))
}

/** JSON with object keys sorted at every depth: jsonb does not keep key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort()
    const obj = value as Record<string, unknown>
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`
  }
  return JSON.stringify(value ?? null)
}

/** Columns added after the chain began (issue 14): hashed only when set, so older rows verify. */
const OPTIONAL_CHAIN_FIELDS = ['api_token_id', 'approved_by_id', 'approved_by_email'] as const

/**
 * sha256 hex of the previous hash and the row's canonical form. The columns of
 * OPTIONAL_CHAIN_FIELDS are left out while null, so a row written before they existed hashes as
 * it did then.
 */
export function chainHash(prevHash: string, row: ChainFields): string {
  const fields: Record<string, unknown> = {
    ...row,
    created_at: new Date(row.created_at).toISOString(),
  }
  for (const key of OPTIONAL_CHAIN_FIELDS) if (fields[key] == null) delete fields[key]
  const canonical = canonicalJson(fields)
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex')
}

export type ChainVerdict =
  { ok: true; checked: number } | { ok: false; checked: number; seq: number; reason: string }

/**
 * Walks the whole chain in `seq` order, in pages of `batchSize` rows, and reports the first
 * broken link: a gap in `seq`, a `prev_hash` that is not the previous row's hash, or a hash that
 * does not match the row (an edit made with the trigger disabled).
 */
export async function verifyAuditChain(db: Db, batchSize = 2000): Promise<ChainVerdict> {
  let prev = { seq: 0, hash: GENESIS_HASH }
  let checked = 0
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', prev.seq)
      .orderBy('seq')
      .limit(batchSize)
      .execute()
    for (const row of rows) {
      const fail = (reason: string): ChainVerdict => ({ ok: false, checked, seq: row.seq, reason })
      if (row.seq !== prev.seq + 1) return fail(`seq ${prev.seq + 1} is missing`)
      if (row.prev_hash !== prev.hash) return fail('prev_hash does not match the previous row')
      const { prev_hash: _p, hash: _h, ...fields } = row
      if (chainHash(row.prev_hash, fields) !== row.hash)
        return fail('row content does not match its hash')
      prev = row
      checked++
    }
    if (rows.length < batchSize) return { ok: true, checked }
  }
}

export type AuditFilter = {
  action?: string
  tenantId?: string
  actorId?: string
  /** Entries of one bulk batch (or of its rollback, which has a batch id of its own). */
  batchId?: string
  /** Entries about one thing: its type (`user`, `tenant`…) and id (index audit_log_target_idx). */
  target?: { type: string; id: string }
  from?: Date
  to?: Date
  /** Keyset paging: only entries older than this seq. */
  beforeSeq?: number
  limit?: number
}

export type AuditListEntry = AuditLogRow & { tenant_slug: string | null }

/**
 * Newest first, with the tenant's slug joined; `limit` defaults to 50. `scope` (DESIGN.md §11)
 * keeps only its tenant's entries, on top of the filter's own `tenantId` (index
 * audit_log_tenant_idx on (tenant_id, seq desc) serves both).
 */
export async function listAuditEntries(
  db: Db,
  scope: TenantScope,
  filter: AuditFilter,
): Promise<AuditListEntry[]> {
  let query = db
    .selectFrom('audit_log')
    .leftJoin('tenants', 'tenants.id', 'audit_log.tenant_id')
    .selectAll('audit_log')
    .select('tenants.slug as tenant_slug')
    .orderBy('audit_log.seq', 'desc')
    .limit(filter.limit ?? 50)
  if (filter.action) query = query.where('audit_log.action', '=', filter.action)
  if (scope.tenantId) query = query.where('audit_log.tenant_id', '=', scope.tenantId)
  if (filter.tenantId) query = query.where('audit_log.tenant_id', '=', filter.tenantId)
  if (filter.actorId) query = query.where('audit_log.actor_id', '=', filter.actorId)
  if (filter.batchId) query = query.where('audit_log.batch_id', '=', filter.batchId)
  if (filter.target)
    query = query
      .where('audit_log.target_type', '=', filter.target.type)
      .where('audit_log.target_id', '=', filter.target.id)
  if (filter.from) query = query.where('audit_log.created_at', '>=', filter.from)
  if (filter.to) query = query.where('audit_log.created_at', '<', filter.to)
  if (filter.beforeSeq) query = query.where('audit_log.seq', '<', filter.beforeSeq)
  return query.execute()
}

/**
 * Adds the action and the actor to audit_facets; an actor already there keeps one row, labelled
 * with the newest email. Writes nothing when both are known with that label (the usual case).
 */
async function recordAuditFacets(
  trx: Db,
  action: string,
  actorId: string | null,
  actorEmail: string | null,
): Promise<void> {
  const rows: AuditFacetRow[] = [{ kind: 'action', value: action, label: action }]
  if (actorId) rows.push({ kind: 'actor', value: actorId, label: actorEmail ?? actorId })
  await trx
    .insertInto('audit_facets')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['kind', 'value'])
        .doUpdateSet({ label: (eb) => eb.ref('excluded.label') })
        .where('audit_facets.label', 'is distinct from', (eb) => eb.ref('excluded.label')),
    )
    .execute()
}

/**
 * Every action and actor the log holds, for the filter controls: from audit_facets (one row per
 * value, kept by appendAuditEntry), so the cost does not grow with the log. Actors by email.
 */
export async function listAuditFacets(
  db: Db,
): Promise<{ actions: string[]; actors: { actor_id: string; actor_email: string }[] }> {
  const rows = await db
    .selectFrom('audit_facets')
    .select(['kind', 'value', 'label'])
    .orderBy('kind')
    .orderBy('label')
    .execute()
  return {
    actions: rows.filter((r) => r.kind === 'action').map((r) => r.value),
    actors: rows
      .filter((r) => r.kind === 'actor')
      .map((r) => ({ actor_id: r.value, actor_email: r.label })),
  }
}
