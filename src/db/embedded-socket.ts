import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import type pg from 'pg'

// The embedded database belongs to one process (src/db/data-dir-lock.ts). While the server holds
// it, the CLIs (create-super-admin, audit:verify, seed) reach it through the server: a loopback
// PostgreSQL wire-protocol endpoint, like pgbouncer in transaction mode. PGlite has one session,
// shared with the app's pool of one connection, so a CLI connection takes that pool connection
// for each transaction (from its first message until PGlite reports "idle" again) and gives it
// back between transactions: app requests and CLI work interleave, never inside each other's
// transactions. Not `@electric-sql/pglite-socket`: it pins another PGlite version and its
// multiplexer does not know about the app's own pool.

const ENDPOINT_FILE = 'fleetdeck.socket.json'
const SSL_REQUEST = 80877103
const CANCEL_REQUEST = 80877102
const PROTOCOL_3 = 196608
const MAX_STARTUP_BYTES = 10_000
/** A CLI connection silent this long is closed, so a stuck client cannot hold the database. */
const IDLE_TIMEOUT_MS = 60_000

/** What the server writes into the data dir (mode 0600) for the CLIs. */
export type EmbeddedEndpoint = {
  pid: number
  host: string
  port: number
  /** Random per start: only who can read the data dir (who could open the files) connects. */
  password: string
  /** The running server's PUBLIC_URL, for links the CLIs print. */
  publicUrl: string
}

/**
 * Serves `lite` on 127.0.0.1 (a free port) to local CLIs and writes the endpoint file into
 * `dataDir`. `pool` is the app's pool over the same PGlite (one connection): CLI transactions
 * take it while they run.
 * @returns a function that stops serving and removes the endpoint file
 */
export async function shareEmbeddedDatabase(
  lite: PGlite,
  pool: pg.Pool,
  options: { dataDir: string; publicUrl: string },
): Promise<() => Promise<void>> {
  const password = randomBytes(24).toString('base64url')
  const parameters = await serverParameters(lite)
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    serveClient(socket, { lite, pool, password, parameters })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as { port: number }
  const endpoint: EmbeddedEndpoint = {
    pid: process.pid,
    host: '127.0.0.1',
    port,
    password,
    publicUrl: options.publicUrl,
  }
  const file = join(options.dataDir, ENDPOINT_FILE)
  writeFileSync(`${file}.tmp`, JSON.stringify(endpoint) + '\n', { mode: 0o600 })
  renameSync(`${file}.tmp`, file)
  return async () => {
    rmSync(file, { force: true })
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
}

/** The endpoint the server in `dataDir` wrote, or undefined when there is none (or it is unreadable). */
export function readEmbeddedEndpoint(dataDir: string): EmbeddedEndpoint | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, ENDPOINT_FILE), 'utf8'))
    const valid =
      Number.isInteger(parsed?.pid) &&
      Number.isInteger(parsed?.port) &&
      typeof parsed?.host === 'string' &&
      typeof parsed?.password === 'string' &&
      typeof parsed?.publicUrl === 'string'
    return valid ? parsed : undefined
  } catch {
    return undefined
  }
}

async function serverParameters(lite: PGlite): Promise<[string, string][]> {
  const { rows } = await lite.query<{ version: string; zone: string }>(
    `select current_setting('server_version') as version, current_setting('TimeZone') as zone`,
  )
  return [
    ['server_version', rows[0].version],
    ['server_encoding', 'UTF8'],
    ['client_encoding', 'UTF8'],
    ['DateStyle', 'ISO, MDY'],
    ['integer_datetimes', 'on'],
    ['standard_conforming_strings', 'on'],
    ['TimeZone', rows[0].zone],
  ]
}

type Shared = { lite: PGlite; pool: pg.Pool; password: string; parameters: [string, string][] }

/** One CLI connection: startup and password here, every later message forwarded to PGlite. */
function serveClient(socket: Socket, shared: Shared): void {
  const { lite, pool } = shared
  let buffer = Buffer.alloc(0)
  let phase: 'startup' | 'password' | 'ready' = 'startup'
  let held: pg.PoolClient | undefined
  let work = Promise.resolve()

  const refuse = (code: string, message: string) => {
    socket.end(errorResponse(code, message))
    buffer = Buffer.alloc(0)
  }

  const nextMessage = (): Buffer | undefined => {
    const typed = phase !== 'startup'
    if (buffer.length < (typed ? 5 : 8)) return undefined
    const length = typed ? 1 + buffer.readInt32BE(1) : buffer.readInt32BE(0)
    if (length < (typed ? 5 : 8) || (!typed && length > MAX_STARTUP_BYTES)) {
      refuse('08P01', 'invalid message length')
      return undefined
    }
    if (buffer.length < length) return undefined
    const message = buffer.subarray(0, length)
    buffer = buffer.subarray(length)
    return message
  }

  const handle = async (message: Buffer) => {
    if (phase === 'startup') {
      const code = message.readInt32BE(4)
      if (code === SSL_REQUEST) return void socket.write('N')
      if (code !== PROTOCOL_3) return refuse('08P01', 'unsupported protocol')
      phase = 'password'
      return void socket.write(authentication(3))
    }
    if (phase === 'password') {
      const given = message[0] === 0x70 ? message.subarray(5, message.length - 1) : Buffer.alloc(0)
      if (!samePassword(given, shared.password))
        return refuse('28P01', 'password authentication failed')
      phase = 'ready'
      return void socket.write(welcome(shared.parameters))
    }
    if (message[0] === 0x58) return void socket.end() // Terminate
    // The app's one connection is ours until this transaction ends.
    held ??= await pool.connect()
    const reply = await lite.runExclusive(() => lite.execProtocolRaw(message))
    if (!socket.destroyed) socket.write(reply)
    if (lastReadyStatus(reply) === 'I') giveBack()
  }

  const giveBack = () => {
    held?.release()
    held = undefined
  }

  // A CLI that disconnects mid-transaction (killed, crashed) must not leave it open for the app.
  const cleanUp = async () => {
    if (!held) return
    try {
      await lite.runExclusive(() => lite.execProtocolRaw(SYNC))
      if (lite.isInTransaction()) await lite.exec('rollback')
    } finally {
      giveBack()
    }
  }

  // Replies go out one message at a time: without this, Nagle's algorithm and delayed ACKs
  // add ~40 ms to every round trip.
  socket.setNoDelay(true)
  socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy())
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk])
    work = work
      .then(async () => {
        for (let message = nextMessage(); message; message = nextMessage()) {
          if (socket.destroyed) return
          await handle(message)
        }
      })
      .catch((error: Error) => {
        socket.destroy()
        console.warn(
          JSON.stringify({ level: 'warn', msg: 'cli connection failed', error: error.message }),
        )
      })
  })
  socket.on('error', () => {}) // 'close' follows; nothing to add
  socket.on('close', () => {
    work = work.then(cleanUp).catch(() => giveBack())
  })
}

function samePassword(given: Buffer, expected: string): boolean {
  const digest = (value: Buffer | string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(given), digest(expected))
}

/** The status byte of the last ReadyForQuery in `reply`: 'I' idle, 'T' in a transaction, 'E' failed one. */
function lastReadyStatus(reply: Uint8Array): string | undefined {
  let status: string | undefined
  const view = Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength)
  for (let at = 0; at + 5 <= view.length; at += 1 + view.readInt32BE(at + 1)) {
    if (view[at] === 0x5a) status = String.fromCharCode(view[at + 5])
  }
  return status
}

const SYNC = Buffer.from([0x53, 0, 0, 0, 4])

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5)
  head.write(type, 0, 'latin1')
  head.writeInt32BE(4 + body.length, 1)
  return Buffer.concat([head, body])
}

function int32(value: number): Buffer {
  const out = Buffer.alloc(4)
  out.writeInt32BE(value)
  return out
}

function cstrings(...values: string[]): Buffer {
  return Buffer.concat(values.map((value) => Buffer.from(value + '\0', 'utf8')))
}

function authentication(kind: number): Buffer {
  return message('R', int32(kind))
}

function welcome(parameters: [string, string][]): Buffer {
  return Buffer.concat([
    authentication(0),
    ...parameters.map(([name, value]) => message('S', cstrings(name, value))),
    message('K', Buffer.concat([int32(process.pid), int32(randomBytes(4).readInt32BE())])),
    message('Z', Buffer.from('I')),
  ])
}

function errorResponse(code: string, text: string): Buffer {
  return message(
    'E',
    Buffer.concat([cstrings('SFATAL', 'VFATAL', `C${code}`, `M${text}`), Buffer.from([0])]),
  )
}
