import type { Generated, Kysely, Selectable } from 'kysely'

// The example app's own tables, in each tenant's schema `tenant_<slug>` (created by its migration
// in ../migrations, applied by Fleetdeck), and the tenant audit log Fleetdeck keeps there. The
// app reads that log directly: it is the tenant's own data, including what support did.

export interface CredentialsTable {
  email: string
  password_hash: string
  created_at: Generated<Date>
}

export interface NotesTable {
  id: Generated<string>
  body: string
  author_email: string
  created_at: Generated<Date>
}

export interface AuditLogTable {
  id: Generated<string>
  created_at: Generated<Date>
  actor: string
  action: string
  details: Record<string, unknown>
}

export interface DrawingsTable {
  id: Generated<string>
  title: string
  /** Canvas size in pixels. */
  width: number
  height: number
  author_email: string
  created_at: Generated<Date>
}

export interface BoardTables {
  credentials: CredentialsTable
  notes: NotesTable
  drawings: DrawingsTable
  audit_log: AuditLogTable
}

export type BoardDb = Kysely<BoardTables>

/** `tenant_<slug with - as _>`, the schema Fleetdeck gives each tenant. */
export function tenantSchema(slug: string): string {
  return `tenant_${slug.replace(/-/g, '_')}`
}

/** The tables of one tenant: every query below is confined to that tenant's schema. */
export function boardOf(db: Kysely<any>, slug: string): BoardDb {
  return (db as BoardDb).withSchema(tenantSchema(slug))
}

export type Note = { id: string; body: string; authorEmail: string; createdAt: Date }
export type AuditEntry = Omit<Selectable<AuditLogTable>, 'created_at'> & { createdAt: Date }

/** The argon2id hash stored for `email`, or undefined when it has no credentials here. */
export async function findPasswordHash(db: BoardDb, email: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('credentials')
    .select('password_hash')
    .where('email', '=', email)
    .executeTakeFirst()
  return row?.password_hash
}

/** Sets the password hash of `email` (a new row, or the old one replaced). */
export async function saveCredentials(db: BoardDb, email: string, passwordHash: string) {
  await db
    .insertInto('credentials')
    .values({ email, password_hash: passwordHash })
    .onConflict((oc) => oc.column('email').doUpdateSet({ password_hash: passwordHash }))
    .execute()
}

/** The board's notes, newest first (at most 200). */
export async function listNotes(db: BoardDb): Promise<Note[]> {
  const rows = await db.selectFrom('notes').selectAll().orderBy('id', 'desc').limit(200).execute()
  return rows.map((r) => ({
    id: String(r.id),
    body: r.body,
    authorEmail: r.author_email,
    createdAt: r.created_at,
  }))
}

export async function findNote(db: BoardDb, id: string): Promise<Note | undefined> {
  const row = await db.selectFrom('notes').selectAll().where('id', '=', id).executeTakeFirst()
  return (
    row && {
      id: String(row.id),
      body: row.body,
      authorEmail: row.author_email,
      createdAt: row.created_at,
    }
  )
}

export async function insertNote(db: BoardDb, body: string, authorEmail: string): Promise<string> {
  const row = await db
    .insertInto('notes')
    .values({ body, author_email: authorEmail })
    .returning('id')
    .executeTakeFirstOrThrow()
  return String(row.id)
}

/** @returns whether the note was there */
export async function deleteNote(db: BoardDb, id: string): Promise<boolean> {
  const result = await db.deleteFrom('notes').where('id', '=', id).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

/** Deletes every note. @returns how many there were */
export async function deleteAllNotes(db: BoardDb): Promise<number> {
  const result = await db.deleteFrom('notes').executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** The tenant's audit log, newest first (at most `limit`). */
export async function listAuditEntries(db: BoardDb, limit = 100): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom('audit_log')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return rows.map(({ created_at, ...r }) => ({ ...r, id: String(r.id), createdAt: created_at }))
}

export type Drawing = {
  id: string
  title: string
  width: number
  height: number
  authorEmail: string
  createdAt: Date
}

/** The workspace's drawings, newest first (at most 200). */
export async function listDrawings(db: BoardDb): Promise<Drawing[]> {
  const rows = await db
    .selectFrom('drawings')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(200)
    .execute()
  return rows.map((r) => ({
    id: String(r.id),
    title: r.title,
    width: r.width,
    height: r.height,
    authorEmail: r.author_email,
    createdAt: r.created_at,
  }))
}

export async function insertDrawing(
  db: BoardDb,
  drawing: { title: string; width: number; height: number; authorEmail: string },
): Promise<string> {
  const row = await db
    .insertInto('drawings')
    .values({
      title: drawing.title,
      width: drawing.width,
      height: drawing.height,
      author_email: drawing.authorEmail,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return String(row.id)
}
