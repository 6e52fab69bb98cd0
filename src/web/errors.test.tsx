import { Hono } from 'hono'
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
})
