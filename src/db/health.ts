import { sql } from 'kysely'
import type { Db } from './database.js'

/**
 * One round trip to the database (`select 1`), for the readiness probe.
 * @throws the driver's error when the database does not answer
 */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db)
}
