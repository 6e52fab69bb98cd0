import { pino, type DestinationStream, type Logger } from 'pino'
import type { Config } from '../config.js'

// Fleetdeck's JSON log (issue 10 item 5): one pino logger per process, lines on stdout. What a
// request line may hold is decided where it is written (src/web/observe.ts: the route pattern,
// never the path, which can carry an enrolment token); the redaction below is the second line of
// defence, for an object someone logs whole one day.

export type { Logger } from 'pino'

/**
 * Keys censored wherever they appear up to two levels deep: credentials, cookies, one-time codes
 * and tokens. pino's paths are exact, so each key is listed at the top and one level down. One
 * exception: `err.code` (see KEPT_PATH).
 */
export const REDACTED_KEYS = [
  'password',
  'newPassword',
  'code',
  'totp',
  'token',
  'secret',
  'cookie',
  'authorization',
  'setCookie',
  'headers',
  'body',
  'query',
] as const

/**
 * The one path under a redacted key that is kept: an error's `code` is an SQLSTATE (`23505`) or a
 * system code (`ECONNREFUSED`, nodemailer's `EAUTH`), which the reader of a failure needs, never a
 * TOTP code. Listed among the paths so pino hands the censor the full path (`['err', 'code']`).
 */
const KEPT_PATH = ['err', 'code'] as const

const REDACT_PATHS = [...REDACTED_KEYS.flatMap((key) => [key, `*.${key}`]), KEPT_PATH.join('.')]

/** pino's censor: `[redacted]` for every matched path except `err.code`. */
function censor(value: unknown, path: readonly (string | symbol)[]): unknown {
  const kept = path.length === KEPT_PATH.length && KEPT_PATH.every((key, i) => path[i] === key)
  return kept ? value : '[redacted]'
}

/** What the log keeps of an error; `cause` is the same shape, for the error it wraps. */
export type SerializedError = {
  type: string
  message: string
  stack?: string
  code?: string | number
  cause?: SerializedError
}

const MAX_CAUSES = 5

/**
 * The `err` serializer: type (the constructor's name), message, stack and `code` — PostgreSQL's
 * SQLSTATE (`23505`) on database errors from pg and PGlite, a system or library code
 * (`ECONNREFUSED`, nodemailer's `EAUTH`) elsewhere — and the same for up to five nested `cause`s.
 * Nothing else: pino's default serializer copies every enumerable property, and those carry
 * data — PostgreSQL's `detail` (`Key (lower(email))=(alice@…) already exists`), `where`,
 * `parameters`; nodemailer's `response` and `command`. A value that is not an object is logged as
 * its type and `String(value)`; a value this function returned is returned as it is.
 */
export function serializeError(value: unknown, depth = 0): SerializedError {
  if (typeof value !== 'object' || value === null) {
    return { type: typeof value, message: String(value) }
  }
  // Already serialized (a caller that does not trust the logger it is handed, src/web/errors.tsx).
  if (serialized.has(value)) return value as SerializedError
  const e = value as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown }
  const ctor = (value as { constructor?: { name?: unknown } }).constructor?.name
  const out: SerializedError = {
    type: typeof ctor === 'string' && ctor !== 'Object' ? ctor : String(e.name ?? 'Error'),
    message: typeof e.message === 'string' ? e.message : '',
  }
  if (typeof e.stack === 'string') out.stack = e.stack
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code
  const cause = (value as { cause?: unknown }).cause
  if (cause !== undefined && cause !== value && depth < MAX_CAUSES) {
    out.cause = serializeError(cause, depth + 1)
  }
  serialized.add(out)
  return out
}

const serialized = new WeakSet<object>()

/**
 * A pino logger writing JSON lines: `level` as its label ("info"), `time` as ISO 8601 UTC, `msg`,
 * and the fields given; `err` through `serializeError`, the keys of REDACTED_KEYS censored. `destination` defaults to stdout (tests pass a stream to read lines back).
 * @param level LOG_LEVEL (config.logLevel); `silent` writes nothing
 */
export function createLogger(level: Config['logLevel'], destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError },
      redact: { paths: REDACT_PATHS, censor },
    },
    destination,
  )
}

const byLevel = new Map<Config['logLevel'], Logger>()

/**
 * The process's logger at `level`, created once per level: what code without an app at hand
 * (the database handle, a bare sub-app's error handler) logs through.
 */
export function processLogger(level: Config['logLevel'] = defaultLevel()): Logger {
  let logger = byLevel.get(level)
  if (!logger) byLevel.set(level, (logger = createLogger(level)))
  return logger
}

/** LOG_LEVEL as given, when it is one of pino's; `info` otherwise (config.ts reports bad values). */
function defaultLevel(): Config['logLevel'] {
  const level = process.env.LOG_LEVEL
  const known = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
  return (known as readonly string[]).includes(level ?? '') ? (level as Config['logLevel']) : 'info'
}

/**
 * Adapts a `{ level, msg, ...fields }` line (the scheduler's log option, src/jobs/scheduler.ts)
 * to `logger[level](fields, msg)`; an unknown level logs at info.
 */
export function logThroughPino(logger: Logger): (line: Record<string, unknown>) => void {
  return ({ level, msg, ...fields }) => {
    const method = typeof level === 'string' && level in LEVEL_METHODS ? level : 'info'
    logger[method as keyof typeof LEVEL_METHODS](fields, typeof msg === 'string' ? msg : '')
  }
}

const LEVEL_METHODS = { fatal: 1, error: 1, warn: 1, info: 1, debug: 1, trace: 1 } as const
