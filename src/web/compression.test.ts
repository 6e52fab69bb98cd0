import { Hono } from 'hono'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../test-support/test-app.js'
import { chooseEncoding, COMPRESS_MIN_BYTES, compressResponses } from './compression.js'

// Issue 6 item 22: pages travel compressed, brotli where the browser takes it.

const t = useTestApp()

function appWith(body: string, type = 'text/html; charset=UTF-8') {
  const app = new Hono()
  app.use(compressResponses)
  app.get('/', (c) => c.body(body, 200, { 'content-type': type }))
  return app
}

describe('compressed responses', () => {
  it('a page is sent as brotli when the browser accepts it, and decodes to the same HTML', async () => {
    const res = await t.app.request('/login', {
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    })
    const plain = await (await t.app.request('/login')).text()

    expect(res.headers.get('content-encoding')).toBe('br')
    expect(res.headers.get('vary')).toContain('Accept-Encoding')
    const decoded = brotliDecompressSync(Buffer.from(await res.arrayBuffer())).toString()
    // The CSP nonce differs per response; everything else is the same page.
    const withoutNonce = (html: string) => html.replace(/nonce="[^"]*"/g, '')
    expect(withoutNonce(decoded)).toBe(withoutNonce(plain))
  })

  it('gzip when that is all the browser takes, nothing when it takes neither', async () => {
    const page = 'x'.repeat(COMPRESS_MIN_BYTES * 4)
    const gz = await appWith(page).request('/', { headers: { 'accept-encoding': 'gzip' } })
    const none = await appWith(page).request('/', { headers: { 'accept-encoding': 'identity' } })

    expect(gz.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(page)
    expect(none.headers.get('content-encoding')).toBeNull()
    expect(await none.text()).toBe(page)
  })

  it('small bodies, binary types and already-encoded bodies pass unchanged', async () => {
    const small = await appWith('<p>hi</p>').request('/', { headers: { 'accept-encoding': 'br' } })
    const binary = await appWith('x'.repeat(5000), 'image/png').request('/', {
      headers: { 'accept-encoding': 'br' },
    })

    expect(small.headers.get('content-encoding')).toBeNull()
    expect(await small.text()).toBe('<p>hi</p>')
    expect(binary.headers.get('content-encoding')).toBeNull()
  })

  it('reads Accept-Encoding with q-values: q=0 refuses an encoding', () => {
    expect(chooseEncoding('gzip, br;q=0')).toBe('gzip')
    expect(chooseEncoding('br;q=0.5, gzip')).toBe('br')
    expect(chooseEncoding('BR')).toBe('br')
    expect(chooseEncoding('identity')).toBeUndefined()
    expect(chooseEncoding(undefined)).toBeUndefined()
  })
})
