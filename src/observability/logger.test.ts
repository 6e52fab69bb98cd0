import { describe, expect, it } from 'vitest'
import { insertSuperAdmin } from '../db/super-admins.js'
import { useTestApp } from '../test-support/test-app.js'
import { captureLogger } from './capture-logger.js'
import { createLogger, logThroughPino, serializeError } from './logger.js'

describe('the JSON logger', () => {
  it('writes one JSON line with the level as a word, an ISO time, msg and the fields', () => {
    const log = captureLogger()
    log.logger.info({ requestId: 'r-1', status: 200 }, 'request')
    expect(log.text().split('\n').filter(Boolean)).toHaveLength(1)
    expect(log.lines()[0]).toMatchObject({ level: 'info', msg: 'request', requestId: 'r-1' })
    expect(String(log.lines()[0].time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  })

  it('censors credentials, cookies, codes, headers and bodies someone logs whole', () => {
    const log = captureLogger()
    log.logger.warn(
      {
        password: 'hunter2-password',
        code: '123456',
        headers: { cookie: 'fleetdeck_session=abc.def' },
        req: { authorization: 'Bearer sekrit-token', body: 'password=hunter3' },
        secret: 'fdk_x.y',
      },
      'careless',
    )
    const text = log.text()
    for (const leaked of ['hunter2', '123456', 'abc.def', 'sekrit-token', 'hunter3', 'fdk_x.y'])
      expect(text).not.toContain(leaked)
    expect(log.lines()[0]).toMatchObject({ password: '[redacted]', headers: '[redacted]' })
  })

  it('writes nothing below its level', () => {
    const log = captureLogger('info')
    log.logger.debug({ a: 1 }, 'quiet')
    expect(log.text()).toBe('')
    expect(createLogger('silent').isLevelEnabled('error')).toBe(false)
  })

  it('takes the scheduler’s { level, msg, ...fields } lines at their level', () => {
    const log = captureLogger()
    const line = logThroughPino(log.logger)
    line({ level: 'error', msg: 'task failed', task: 'health-sample', error: 'boom' })
    line({ level: 'nonsense', msg: 'task ran', task: 'kpi' })
    expect(log.lines()).toMatchObject([
      { level: 'error', msg: 'task failed', task: 'health-sample', error: 'boom' },
      { level: 'info', msg: 'task ran', task: 'kpi' },
    ])
  })

  it('still censors a TOTP code one level down, next to an error whose code it keeps', () => {
    const log = captureLogger()
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    })
    log.logger.warn({ form: { code: '246810' }, code: '135791', err }, 'careless')
    const [line] = log.lines()

    expect(line).toMatchObject({ code: '[redacted]', form: { code: '[redacted]' } })
    expect(line.err).toMatchObject({ code: 'ECONNREFUSED' })
    for (const leaked of ['246810', '135791']) expect(log.text()).not.toContain(leaked)
  })
})

describe('an error in the log', () => {
  it('keeps type, message, stack and code, and none of the data a driver hangs on it', () => {
    class DatabaseError extends Error {}
    // What pg and PGlite throw on a unique violation, and what nodemailer throws on a refused login.
    const unique = Object.assign(
      new DatabaseError('duplicate key value violates unique constraint "users_email_key"'),
      {
        code: '23505',
        detail: 'Key (lower(email))=(alice@customer.example) already exists.',
        schema: 'public',
        table: 'users',
        where: 'SQL statement "insert into users values (\'alice@customer.example\')"',
      },
    )
    const refused = Object.assign(new Error('Invalid login: 535 Authentication failed'), {
      code: 'EAUTH',
      response: '535 5.7.8 Authentication failed for relay-user / s3cret-relay-pass',
      responseCode: 535,
      command: 'AUTH PLAIN AHJlbGF5LXVzZXIAczNjcmV0LXJlbGF5LXBhc3M=',
    })
    const log = captureLogger()
    log.logger.error({ err: unique }, 'request failed')
    log.logger.error({ err: refused }, 'request failed')
    const [first, second] = log.lines() as { err: Record<string, unknown> }[]

    expect(first.err).toEqual({
      type: 'DatabaseError',
      message: 'duplicate key value violates unique constraint "users_email_key"',
      stack: expect.stringContaining('logger.test.ts'),
      code: '23505',
    })
    expect(second.err).toEqual({
      type: 'Error',
      message: 'Invalid login: 535 Authentication failed',
      stack: expect.any(String),
      code: 'EAUTH',
    })
    for (const leaked of ['alice@customer.example', 's3cret-relay-pass', 'AHJlbGF5', 'public'])
      expect(log.text()).not.toContain(leaked)
  })

  it('follows causes with the same fields, and logs a thrown non-error as its type and text', () => {
    const inner = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
      address: '10.0.0.9',
    })
    const outer = new Error('the fleet gauges could not be read', { cause: inner })

    expect(serializeError(outer)).toEqual({
      type: 'Error',
      message: 'the fleet gauges could not be read',
      stack: expect.any(String),
      cause: {
        type: 'Error',
        message: 'connect ECONNREFUSED',
        stack: expect.any(String),
        code: 'ECONNREFUSED',
      },
    })
    expect(serializeError('boom')).toEqual({ type: 'string', message: 'boom' })
    const loop = new Error('itself') as Error & { cause?: unknown }
    loop.cause = loop
    expect(serializeError(loop).cause).toBeUndefined()
  })
})

describe('a real database error in the log', () => {
  const t = useTestApp()

  it('has its SQLSTATE, not the email the unique index refused', async () => {
    const email = `Dup-${Date.now()}@Customer.example`
    await insertSuperAdmin(t.db, { email, name: 'First', role: 'viewer' })
    const error = await insertSuperAdmin(t.db, {
      email: email.toLowerCase(),
      name: 'Second',
      role: 'viewer',
    }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(Error)
    // The driver does carry the value: it is what must not reach the log.
    expect(JSON.stringify({ ...(error as object) })).toContain(email.toLowerCase())

    const log = captureLogger()
    log.logger.error({ err: error }, 'request failed')
    const [line] = log.lines() as { err: Record<string, unknown> }[]
    expect(line.err.code).toBe('23505')
    expect(Object.keys(line.err).sort()).toEqual(['code', 'message', 'stack', 'type'])
    expect(log.text().toLowerCase()).not.toContain(email.toLowerCase())
  })
})
