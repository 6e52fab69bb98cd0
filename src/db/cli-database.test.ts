import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  freePort,
  runScript,
  startServerProcess,
  type ServerProcess,
} from '../test-support/processes.js'

// Issue 6 item 17: the CLIs work while `npm start` holds the embedded database, print links
// with the server's PUBLIC_URL, and fail in one line without a stack trace.

const SERVER_PUBLIC_URL = 'http://fleet.example.test:8080'

/** GET on the local server as addressed by its public name (fetch cannot set Host). */
function statusOf(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    }).on('error', reject)
  })
}

describe('CLIs while the server holds the embedded database', () => {
  let dataDir: string
  let server: ServerProcess
  let port: number

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-cli-'))
    port = await freePort()
    server = await startServerProcess({
      FLEETDECK_DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_URL: SERVER_PUBLIC_URL,
    })
    expect(server.output()).toContain('listening')
  }, 120_000)

  afterAll(async () => {
    await server?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }, 30_000)

  it('create-super-admin creates the admin through the server and links to its PUBLIC_URL', async () => {
    // The CLI's own environment names no PUBLIC_URL: the link must still be the server's.
    const run = await runScript(
      'create-super-admin',
      ['--email', 'ops@example.com', '--name', 'Ops'],
      {
        FLEETDECK_DATA_DIR: dataDir,
      },
    )

    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Super admin ops@example.com (owner) created.')
    const link = run.stdout.match(/^\s+(\S+\/enrol\/\S+)$/m)?.[1]
    expect(link?.startsWith(`${SERVER_PUBLIC_URL}/enrol/`)).toBe(true)
    // The link works on the running server: it knows the new admin's token.
    expect(await statusOf(port, new URL(link!).pathname, new URL(SERVER_PUBLIC_URL).host)).toBe(200)
  }, 90_000)

  it('audit:verify walks the chain through the server, which keeps serving', async () => {
    const run = await runScript('audit-verify', [], { FLEETDECK_DATA_DIR: dataDir })

    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^OK: \d+ entries, chain intact$/m)
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`)
    expect(ready.status).toBe(200)
  }, 90_000)

  it('a refusal is one line and exit code 1, without a stack trace', async () => {
    const run = await runScript(
      'create-super-admin',
      ['--email', 'ops@example.com', '--name', 'Ops'],
      {
        FLEETDECK_DATA_DIR: dataDir,
      },
    )

    expect(run.code).toBe(1)
    expect(run.stderr.trim()).toBe('A super admin with email ops@example.com already exists.')
  }, 90_000)

  it('the endpoint file is readable by the owner only', () => {
    const endpoint = JSON.parse(readFileSync(join(dataDir, 'fleetdeck.socket.json'), 'utf8'))
    expect(endpoint).toMatchObject({ host: '127.0.0.1', publicUrl: SERVER_PUBLIC_URL })
    expect(endpoint.password).toMatch(/^[\w-]{32}$/)
  })
})

describe('CLIs facing a data dir they cannot use', () => {
  it('a data dir held by a live process that does not share it: one line, exit 1, no stack', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fleetdeck-cli-held-'))
    try {
      // This test process, with its real start time, stands for an older Fleetdeck.
      const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8')
      const started = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
      writeFileSync(join(dataDir, 'fleetdeck.pid'), `${process.pid}\n${started}\n`)

      const run = await runScript('audit-verify', [], {
        FLEETDECK_DATA_DIR: dataDir,
        FLEETDECK_SECRET_KEY: 'k'.repeat(40),
      })

      expect(run.code).toBe(1)
      expect(run.stderr.trim().split('\n')).toEqual([
        `audit:verify: the embedded database in ${dataDir} is in use by process ${process.pid}, which does not share it: stop that process, or use DATABASE_URL`,
      ])
      expect(run.stdout).toBe('')
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 60_000)
})
