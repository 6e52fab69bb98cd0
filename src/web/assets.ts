import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { MiddlewareHandler } from 'hono'
import { serveStatic } from '@hono/node-server/serve-static'

// Static assets under content-hashed names (scripts/build-assets.ts writes them and
// public/build/manifest.json): a changed file gets a new URL, so browsers may keep each one for
// a year without asking again.

/** Cache-Control of a fingerprinted asset: its URL changes whenever its content does. */
export const IMMUTABLE = 'public, max-age=31536000, immutable'

let manifest: Record<string, string> | undefined

function loadManifest(): Record<string, string> {
  try {
    const file = join(process.cwd(), 'public', 'build', 'manifest.json')
    return (JSON.parse(readFileSync(file, 'utf8')) as { assets: Record<string, string> }).assets
  } catch {
    // No build (tests that never ran `npm run assets`): the plain files still serve.
    return {}
  }
}

/**
 * The URL the layout links for a file of `public/` (`'app.js'`, `'uno.css'`…): its fingerprinted
 * copy from the build manifest (read once per process), or `/public/<name>` when none was built.
 */
export function assetUrl(name: string): string {
  manifest ??= loadManifest()
  return manifest[name] ?? `/public/${name}`
}

const serveFingerprinted = serveStatic({ root: './', precompressed: true })
const servePlain = serveStatic({ root: './' })

/**
 * Serves `public/`: fingerprinted files under /public/build/ with their brotli or gzip copy when
 * the browser accepts it, and Cache-Control immutable; other files as they are (revalidated).
 */
export const serveAssets: MiddlewareHandler = async (c, next) => {
  if (!c.req.path.startsWith('/public/build/')) return servePlain(c, next)
  const res = await serveFingerprinted(c, next)
  // Only a file that was found: a 404 must not be cached for a year.
  if (res instanceof Response && res.status === 200) res.headers.set('Cache-Control', IMMUTABLE)
  return res
}
