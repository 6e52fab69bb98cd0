import { pino, type DestinationStream, type Logger } from 'pino'
import type { Config } from '../config.js'

// Fleetdeck's JSON log (issue 10 item 5): one pino logger per process, lines on stdout. What a
// request line may hold is decided where it is written (src/web/observe.ts: the route pattern,
// never the path, which can carry an enrolment token); the redaction below is the second line of
// defence, for an object someone logs whole one day.

export type { Logger } from 'pino'

/**
 * Keys censored wherever they appear up to two levels deep: credentials, cookies, one-time codes
 * and tokens. pino's paths are exact, so each key is listed at the top and one level down.
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

const REDACT_PATHS = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`])

/**
 * A pino logger writing JSON lines: `level` as its label ("info"), `time` as ISO 8601 UTC, `msg`,
 * and the fields given. `destination` defaults to stdout (tests pass a stream to read lines back).
 * @param level LOG_LEVEL (config.logLevel); `silent` writes nothing
 */
export function createLogger(level: Config['logLevel'], destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
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
