import { execFile, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

// The real server and the CLIs as child processes (`tsx`), for tests of start-up and of the
// scripts: what an operator runs, with a data dir and environment of the test's own.

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TSX = `${ROOT}node_modules/.bin/tsx`

/** The environment without the caller's Fleetdeck settings, plus `env`. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(DATABASE_URL|TEST_DATABASE_URL|PUBLIC_URL|PORT|HOST|FLEETDECK_.*|SESSION_.*|STORAGE_.*)$/.test(
        key,
      )
    )
      continue
    out[key] = value
  }
  return { ...out, NODE_ENV: 'test', HOST: '127.0.0.1', ...env }
}

/** A TCP port nobody listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export type CliRun = { code: number; stdout: string; stderr: string }

/** Runs `scripts/<script>.ts` to completion. */
export function runScript(script: string, args: string[], env: Record<string, string>) {
  return new Promise<CliRun>((resolve) => {
    execFile(
      TSX,
      [`scripts/${script}.ts`, ...args],
      { cwd: ROOT, env: cleanEnv(env), timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    )
  })
}

export type ServerProcess = {
  /** stdout and stderr so far. */
  output(): string
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number>
  stop(): Promise<void>
}

/**
 * Starts `tsx src/server.ts` with `env` and waits for its "listening" line, or for it to exit
 * (a refused start): check `exited` then.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(TSX, ['src/server.ts'], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let log = ''
  child.stdout!.on('data', (chunk) => (log += chunk))
  child.stderr!.on('data', (chunk) => (log += chunk))
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)))
  let ended = false
  void exited.then(() => (ended = true))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 90_000)
    const poll = setInterval(() => {
      if (!log.includes('listening') && !ended) return
      clearInterval(poll)
      clearTimeout(timer)
      resolve()
    }, 100)
  })
  return {
    output: () => log,
    exited,
    async stop() {
      if (ended) return
      const signal = (name: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, name)
        } catch {}
      }
      signal('SIGTERM')
      const timer = setTimeout(() => signal('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}
