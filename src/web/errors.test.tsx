import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { describe, expect, it, vi } from 'vitest'
import type { AppEnv } from './env.js'
import { htmlErrorHandler, problemErrorHandler } from './errors.js'

/** A group with one refusing and one failing route, answering through `handler`. */
function groupWith(handler: typeof htmlErrorHandler) {
  const app = new Hono<AppEnv>()
  app.use(async (c, next) => {
    c.set('requestId', 'req-1')
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
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const res = await groupWith(problemErrorHandler).request('/broken')
    const text = await res.text()
    const logged = log.mock.calls.map((args) => String(args[0]))
    log.mockRestore()

    expect(res.status).toBe(500)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(JSON.parse(text)).toMatchObject({ status: 500, requestId: 'req-1' })
    expect(text).not.toContain('password')
    // The cause goes to the log line, with the request id to find it by.
    expect(logged).toEqual([expect.stringContaining('"requestId":"req-1"')])
  })
})

describe('htmlErrorHandler (the console and public groups)', () => {
  it('answers an unexpected error with the HTML error page and the request id only', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const res = await groupWith(htmlErrorHandler).request('/broken')
    const text = await res.text()
    log.mockRestore()

    expect(res.status).toBe(500)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(text).toContain('<code id="request-id">req-1</code>')
    expect(text).not.toContain('password')
  })
})
