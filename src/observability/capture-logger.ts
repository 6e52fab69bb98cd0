import { Writable } from 'node:stream'
import { createLogger, type Logger } from './logger.js'

/**
 * A logger at `level` whose lines are kept in memory, for tests that read what was logged:
 * `text()` is every byte written, `lines()` each line parsed.
 */
export function captureLogger(level: 'info' | 'debug' | 'trace' = 'info'): {
  logger: Logger
  text(): string
  lines(): Record<string, unknown>[]
} {
  let text = ''
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk)
      done()
    },
  })
  return {
    logger: createLogger(level, stream),
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  }
}
