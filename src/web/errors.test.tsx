import { Writable } from 'node:stream'
import { Hono } from 'hono'
import { pino } from 'pino'
import { HTTPException } from 'hono/http-exception'
import { describe, expect, it } from 'vitest'
import { captureLogger } from '../observability/capture-logger.js'
import type { AppEnv } from './env.js'
import { htmlErrorHandler, problemErrorHandler } from './errors.js'

/** A group with one refusing and one failing route, answering through `handler`. */
function groupWith(handler: typeof htmlErrorHandler, logger = captureLogger().logger) {
  const app = new Hono<AppEnv>()
  app.use(async (c, next) => {
    c.set('requestId', 'req-1')
    c.set('log', logger)
    await next()
  })
  app.get('/refused', () => {
    throw new HTTPException(403, { message: 'Your role does not allow this.' })
  })
  app.get('/broken', () => {
    throw new Error('connection string with a password in it')
  })
  app.get('/duplicate', () => {
    // What pg and PGlite throw on a unique violation: the duplicate value sits in `detail`.
    throw Object.assign(
      new Error('duplicate key value violates unique constraint "users_email_key"'),
      {
        code: '23505',
        detail: 'Key (lower(email))=(alice@customer.example) already exists.',
        table: 'users',
      },
    )
  })
  app.onError(handler)
  return app
}

describe('problemErrorHandler (the JSON groups)', () => {
  it('answers a refusal as an RFC 9457 problem with its status and message', async () => {
    const res = await groupWith(problemErrorHandler).request('/refused')

    expect(res.status).toBe(403)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(await res.json()).toEqual({
      type: 'about:blank',
      title: 'Your role does not allow this.',
      status: 403,
      requestId: 'req-1',
    })
  })

  it('answers an unexpected error as a 500 problem that never carries the cause', async () => {
    const log = captureLogger()
    const res = await groupWith(problemErrorHandler, log.logger).request('/broken')
    const text = await res.text()

    expect(res.status).toBe(500)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(JSON.parse(text)).toMatchObject({ status: 500, requestId: 'req-1' })
    expect(text).not.toContain('password')
    // The cause goes to the log line, with the request id to find it by.
    expect(log.lines()).toMatchObject([
      {
        level: 'error',
        requestId: 'req-1',
        route: '/broken',
        err: { message: expect.any(String) },
      },
    ])
  })
})

describe('htmlErrorHandler (the console and public groups)', () => {
  it('logs a database error with its SQLSTATE and without its detail through the app logger', async () => {
    const log = captureLogger()
    const res = await groupWith(htmlErrorHandler, log.logger).request('/duplicate')

    expect(res.status).toBe(500)
    expect(log.lines()).toEqual([
      expect.objectContaining({
        msg: 'request failed',
        err: {
          type: 'Error',
          message: 'duplicate key value violates unique constraint "users_email_key"',
          stack: expect.stringContaining('errors.test.tsx'),
          code: '23505',
        },
      }),
    ])
    expect(log.text()).not.toContain('alice@customer.example')
  })

  it('answers an unexpected error with the HTML error page and the request id only', async () => {
    const log = captureLogger()
    const res = await groupWith(htmlErrorHandler, log.logger).request('/broken')
    const text = await res.text()

    expect(res.status).toBe(500)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(text).toContain('<code id="request-id">req-1</code>')
    expect(text).not.toContain('password')
    expect(text).not.toContain('errors.test')
    // One error line with the stack: the page has the id, the log has the cause.
    const [line] = log.lines() as [{ level: string; requestId: string; err: { stack: string } }]
    expect(log.lines()).toHaveLength(1)
    expect(line).toMatchObject({ level: 'error', requestId: 'req-1', msg: 'request failed' })
    expect(line.err.stack).toContain('connection string with a password in it')
    expect(line.err.stack).toMatch(/errors\.test\.tsx:\d+/)
  })

  it('logs nothing for a refusal: a 403 is an answer, not a failure', async () => {
    const log = captureLogger()
    const res = await groupWith(htmlErrorHandler, log.logger).request('/refused')
    expect(res.status).toBe(403)
    expect(log.lines()).toEqual([])
  })

  it('logs a database error as type, message, stack and SQLSTATE, even through a bare pino logger', async () => {
    // An app may be handed any pino logger (deps.logger): the reduction must not depend on its
    // serializers, and pino's default one copies every property of the error.
    let text = ''
    const stream = new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk)
        done()
      },
    })
    const res = await groupWith(htmlErrorHandler, pino(stream)).request('/duplicate')

    expect(res.status).toBe(500)
    const line = JSON.parse(text.trim()) as { err: Record<string, unknown> }
    // (A bare pino names the type of what it was handed; the app's own logger keeps `Error`.)
    expect(Object.keys(line.err).sort()).toEqual(['code', 'message', 'stack', 'type'])
    expect(line.err).toMatchObject({
      message: 'duplicate key value violates unique constraint "users_email_key"',
      stack: expect.stringContaining('errors.test.tsx'),
      code: '23505',
    })
    expect(text).not.toContain('alice@customer.example')
  })
})
