import type { Context, MiddlewareHandler } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

// Pages and fragments are a few to a few dozen KB, built whole in memory before they are sent, so
// compressing the whole body at once costs one call and lets brotli see all of it. Brotli at
// quality 4 is as fast as gzip's default and ~10 % smaller on our HTML (the issue 6 goal of
// ≤ 30 KB for a cold /tenants load); quality 5 saved another 12 % for 75 % more time, measured on
// a 90 KB /tenants page. Hono's `compress` offers only gzip and deflate.

/** Bodies below this many bytes are sent as they are: compression would not pay for its header. */
export const COMPRESS_MIN_BYTES = 1024

const COMPRESSIBLE = /^(text\/|application\/(json|problem\+json|javascript)|image\/svg\+xml)/

/** The encoding to use for an `Accept-Encoding` header: brotli, else gzip, else none. */
export function chooseEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  const accepted = (acceptEncoding ?? '')
    .split(',')
    .map((part) => part.trim().split(';'))
    .filter(([, q]) => !q || Number(q.trim().replace(/^q=/, '')) > 0)
    .map(([name]) => name.trim().toLowerCase())
  if (accepted.includes('br')) return 'br'
  if (accepted.includes('gzip')) return 'gzip'
  return undefined
}

/** `body` in `encoding`, or undefined when it is too small to be worth it. */
function compress(body: Buffer, encoding: 'br' | 'gzip'): Uint8Array<ArrayBuffer> | undefined {
  if (body.length < COMPRESS_MIN_BYTES) return undefined
  // zlib's results own plain ArrayBuffers; the cast only tells TypeScript so.
  if (encoding === 'gzip') return gzipSync(body) as Uint8Array<ArrayBuffer>
  return brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 4,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  }) as Uint8Array<ArrayBuffer>
}

/**
 * An HTML answer, compressed here while its text is at hand: once it is a Response, reading it
 * back means building a web-stream Response around it, which costs about as much as rendering
 * the page. `status` defaults to what `c.status()` set. Pages and fragments leave through here (src/web/render.tsx); `compressResponses`
 * then leaves them alone (they carry `Content-Encoding`).
 */
export function sendHtml(c: Context, text: string, status?: ContentfulStatusCode) {
  const encoding = chooseEncoding(c.req.header('accept-encoding'))
  const compressed = encoding && compress(Buffer.from(text), encoding)
  if (!encoding || !compressed) return c.html(text, status)
  c.header('Content-Type', 'text/html; charset=UTF-8')
  c.header('Content-Encoding', encoding)
  c.header('Vary', 'Accept-Encoding', { append: true })
  return c.body(compressed, status)
}

/**
 * Compresses the other text responses (error pages, JSON, unbuilt CSS and JS, SVG) with brotli
 * or gzip, as the client accepts, and adds `Vary: Accept-Encoding`. Responses already encoded
 * (pages from `sendHtml`, the fingerprinted assets' precompressed copies), HEAD answers,
 * bodiless statuses and small bodies pass unchanged.
 */
export const compressResponses: MiddlewareHandler = async (c, next) => {
  await next()
  const res = c.res
  // Status and headers only: reading `res.body` would turn @hono/node-server's light response
  // into a full web-stream Response.
  if (c.req.method === 'HEAD' || res.status === 204 || res.status === 304) return
  if (res.headers.has('content-encoding')) return
  if (!COMPRESSIBLE.test(res.headers.get('content-type') ?? '')) return
  const encoding = chooseEncoding(c.req.header('accept-encoding'))
  if (!encoding) return
  const body = new Uint8Array(await res.arrayBuffer())
  const compressed = compress(Buffer.from(body.buffer), encoding)
  const headers = new Headers(res.headers)
  headers.delete('content-length')
  if (compressed) {
    headers.set('content-encoding', encoding)
    headers.append('vary', 'Accept-Encoding')
  }
  // A bytes body with plain init is what the node server writes in one call; assigning over
  // the old response would make Hono re-wrap it as a stream (its setter merges headers we have
  // already copied).
  c.res = undefined
  c.res = new Response(compressed ?? body, { status: res.status, headers })
}
