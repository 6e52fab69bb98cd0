import type { MiddlewareHandler } from 'hono'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

// Pages and fragments are a few to a few dozen KB, built whole in memory before they are sent, so
// compressing the whole body at once costs one call and lets brotli see all of it. Brotli at
// quality 5 is about as fast as gzip's default and ~15 % smaller on our HTML (the issue 6 goal of
// ≤ 30 KB for a cold /tenants load); Hono's `compress` offers only gzip and deflate.

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

/**
 * Compresses text responses (HTML, JSON, CSS, JS, SVG) with brotli or gzip, as the client
 * accepts, and adds `Vary: Accept-Encoding`. Responses already encoded (the fingerprinted assets'
 * precompressed copies), HEAD answers, bodiless statuses and small bodies pass unchanged.
 */
export const compressResponses: MiddlewareHandler = async (c, next) => {
  await next()
  const res = c.res
  if (c.req.method === 'HEAD' || !res.body || res.headers.has('content-encoding')) return
  if (!COMPRESSIBLE.test(res.headers.get('content-type') ?? '')) return
  const encoding = chooseEncoding(c.req.header('accept-encoding'))
  if (!encoding) return
  const body = Buffer.from(await res.arrayBuffer())
  const compressed =
    body.length < COMPRESS_MIN_BYTES
      ? undefined
      : encoding === 'br'
        ? brotliCompressSync(body, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: 5,
              [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
            },
          })
        : gzipSync(body)
  c.res = new Response(compressed ?? body, res)
  c.res.headers.delete('content-length')
  if (!compressed) return
  c.res.headers.set('content-encoding', encoding)
  c.res.headers.append('vary', 'Accept-Encoding')
}
