// `npm run bench -- --only-audit-export` (or `--audit-export` with the rest): issue 14's "CSV
// export of 1M audit rows: time and peak RSS". On PostgreSQL with --export-rows rows (default
// 1,000,000) and on the embedded PGlite with a tenth of them (PGlite runs in this process's own
// memory, so its RSS is the database's too), each:
//   1. the process's RSS at rest after seeding (the baseline);
//   2. the whole CSV streamed by exportAuditLog and drained (bytes counted, nothing kept): time,
//      rows/s, MB, and the peak RSS sampled every 50 ms, with the rise over the baseline;
//   3. the same through POST /audit/export (app.request in process, no compression): time and
//      peak RSS.
// The log is made with one INSERT … SELECT generate_series (growAuditLog): its hashes do not
// verify, which an export does not look at. Not a test: nothing here asserts.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportAuditLog } from '../../src/audit/export.js'
import { createApp } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js'
import { migratePlatform } from '../../src/db/migrate.js'
import { bulkFleet, growAuditLog, signedInOwner, withScratchDatabase } from './fixtures.js'

export type AuditExportBenchOptions = { rows: number; config: Config }

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`

/** Runs `work` while sampling RSS every 50 ms; returns its time and the highest RSS seen. */
async function withPeakRss<T>(work: () => Promise<T>) {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
  const t0 = performance.now()
  try {
    const result = await work()
    return { result, seconds: (performance.now() - t0) / 1000, peak }
  } finally {
    clearInterval(timer)
    peak = Math.max(peak, process.memoryUsage().rss)
  }
}

/** Reads a stream to its end, counting bytes and keeping none. */
async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let bytes = 0
  for await (const chunk of stream) bytes += chunk.byteLength
  return bytes
}

async function measure(label: string, handle: DatabaseHandle, rows: number, config: Config) {
  await migratePlatform(handle.db)
  await bulkFleet(handle.db, 200, 1_000)
  const { cookie, id } = await signedInOwner(handle.db)
  await growAuditLog(handle.db, rows, [id])
  globalThis.gc?.()
  const baseline = process.memoryUsage().rss
  const direct = await withPeakRss(async () => {
    const result = await exportAuditLog(
      handle.db,
      { actor: null },
      { filter: {}, scope: {}, format: 'csv', bom: false },
    )
    return { rowCount: result.rowCount, bytes: await drain(result.stream) }
  })
  globalThis.gc?.()
  const app = createApp({ config, database: handle })
  const viaHttp = await withPeakRss(async () => {
    const res = await app.request('/audit/export', {
      method: 'POST',
      headers: {
        cookie,
        origin: 'http://localhost',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'format=csv',
    })
    if (res.status !== 200 || !res.body) throw new Error(`/audit/export answered ${res.status}`)
    return drain(res.body)
  })
  const { rowCount, bytes } = direct.result
  console.log(`\n${label}`)
  console.log(`  RSS at rest before the export    ${mb(baseline)}`)
  console.log(
    `  exportAuditLog, CSV, drained      ${direct.seconds.toFixed(1)} s   ${Math.round(rowCount / direct.seconds).toLocaleString('en')} rows/s   ${mb(bytes)}   peak RSS ${mb(direct.peak)} (+${mb(direct.peak - baseline)})`,
  )
  console.log(
    `  POST /audit/export, CSV, drained  ${viaHttp.seconds.toFixed(1)} s   ${mb(viaHttp.result)}   peak RSS ${mb(viaHttp.peak)} (+${mb(viaHttp.peak - baseline)})`,
  )
}

/** Prints the export's time and peak RSS on PostgreSQL, then on PGlite. */
export async function benchAuditExport(options: AuditExportBenchOptions): Promise<void> {
  await withScratchDatabase('fleetdeck_bench_export', async (url) => {
    const handle = await openDatabase({ url, dataDir: '', poolSize: 10 })
    try {
      await measure(
        `Audit export, PostgreSQL (${options.rows.toLocaleString('en')} rows)`,
        handle,
        options.rows,
        { ...options.config, databaseUrl: url },
      )
    } finally {
      await handle.close()
    }
  })
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-export-'))
  const rows = Math.round(options.rows / 10)
  try {
    const handle = await openDatabase({ url: undefined, dataDir: dir })
    try {
      await measure(
        `Audit export, embedded PGlite (${rows.toLocaleString('en')} rows)`,
        handle,
        rows,
        { ...options.config, dataDir: dir },
      )
    } finally {
      await handle.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
