import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

// A real SMTP server on 127.0.0.1 for mail tests (issue 10 item 6): what arrives is kept, with
// the envelope and the headers a reader checks. Plain text only (no STARTTLS offered), so a
// relay saved with security `none` reaches it; with `auth`, it refuses any other user/password.

export type CapturedMail = {
  envelopeFrom: string
  envelopeTo: string[]
  /** Header values by lower-case name (`from`, `to`, `subject`…), unfolded. */
  headers: Record<string, string>
  raw: string
}

export type SmtpCapture = {
  port: number
  received: CapturedMail[]
  /** Resolves with the next message to arrive (or the first, when one is already here). */
  next(): Promise<CapturedMail>
  close(): Promise<void>
}

/** Starts the server on a free port of 127.0.0.1. */
export async function startSmtpCapture(
  o: { auth?: { user: string; pass: string } } = {},
): Promise<SmtpCapture> {
  const received: CapturedMail[] = []
  const waiting: ((mail: CapturedMail) => void)[] = []
  const server = new SMTPServer({
    disabledCommands: o.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !o.auth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      const ok = o.auth && auth.username === o.auth.user && auth.password === o.auth.pass
      if (ok) callback(null, { user: auth.username })
      else callback(new Error('535 5.7.8 Authentication credentials invalid'))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        const mail: CapturedMail = {
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          headers: parseHeaders(raw),
          raw,
        }
        received.push(mail)
        waiting.shift()?.(mail)
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  let taken = 0
  return {
    port,
    received,
    next() {
      const ready = received[taken]
      if (ready) {
        taken += 1
        return Promise.resolve(ready)
      }
      return new Promise((resolve) =>
        waiting.push((mail) => {
          taken += 1
          resolve(mail)
        }),
      )
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

function parseHeaders(raw: string): Record<string, string> {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ')
  const headers: Record<string, string> = {}
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return headers
}
