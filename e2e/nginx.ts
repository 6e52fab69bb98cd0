// A real nginx (Debian's package) in front of Fleetdeck, on loopback addresses only: it listens
// on 127.0.0.3 and connects to Fleetdeck from 127.0.0.2 (proxy_bind), so Fleetdeck can tell the
// proxy's address from a client's. Config, logs and temp files live in a throwaway directory.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const PROXY_LISTEN_ADDRESS = '127.0.0.3'
export const PROXY_SOURCE_ADDRESS = '127.0.0.2'

export type RunningNginx = { baseUrl: string; stop(): Promise<void>; errorLog(): string }

export async function startNginx(listenPort: number, upstreamPort: number): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-nginx-'))
  const temp = (name: string) => `${name}_temp_path ${join(dir, name)};`
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 64; }
http {
  access_log off;
  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}
  server {
    listen ${PROXY_LISTEN_ADDRESS}:${listenPort};
    location / {
      proxy_pass http://127.0.0.1:${upstreamPort};
      proxy_bind ${PROXY_SOURCE_ADDRESS};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`,
  )
  const child: ChildProcess = spawn(
    '/usr/sbin/nginx',
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  )
  let stderr = ''
  child.stderr!.on('data', (chunk) => (stderr += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const errorLog = () => {
    try {
      return stderr + readFileSync(join(dir, 'error.log'), 'utf8')
    } catch {
      return stderr
    }
  }
  const deadline = Date.now() + 10_000
  while (!(await canConnect(PROXY_LISTEN_ADDRESS, listenPort))) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`nginx did not start:\n${errorLog()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    baseUrl: `http://${PROXY_LISTEN_ADDRESS}:${listenPort}`,
    errorLog,
    async stop() {
      if (child.exitCode === null) child.kill('SIGQUIT')
      await exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => {
      socket.end()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
  })
}
