import type { DatabaseHandle } from '../db/database.js'
import { oldestSnapshotAt, refreshStorageSnapshots } from './storage.js'

/**
 * Keeps storage snapshots fresh in the background: at start when the oldest is older than
 * `intervalMs` (or missing), then every `intervalMs`. Each run uses a connection of its own.
 * A failed run is logged and retried at the next tick; the snapshot rows are the only state.
 * @returns `stop()` for shutdown
 */
export function startStorageSnapshots(
  database: DatabaseHandle,
  intervalMs: number,
): { stop(): void } {
  let running = false
  const run = async (onlyIfStale: boolean) => {
    if (running) return
    running = true
    try {
      const oldest = onlyIfStale ? await oldestSnapshotAt(database.db) : undefined
      if (onlyIfStale && oldest && Date.now() - oldest.getTime() < intervalMs) return
      const started = Date.now()
      const count = await database.withDedicatedConnection((db) => refreshStorageSnapshots(db))
      console.log(
        JSON.stringify({
          level: 'info',
          msg: 'storage snapshot',
          tenants: count,
          ms: Date.now() - started,
        }),
      )
    } catch (error) {
      console.error(
        JSON.stringify({ level: 'error', msg: 'storage snapshot failed', error: String(error) }),
      )
    } finally {
      running = false
    }
  }
  void run(true)
  const timer = setInterval(() => void run(false), intervalMs)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
