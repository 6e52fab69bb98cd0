import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../test-support/factories.js'
import { assetUrl, IMMUTABLE } from './assets.js'

// Issue 6 item 22: fingerprinted assets cached for a year, compressed pages that stay no-store,
// and an asset build that does nothing when nothing changed.

const manifestFile = join(process.cwd(), 'public', 'build', 'manifest.json')

function buildAssets() {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-assets.ts'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}

let t: TestApp

beforeAll(async () => {
  if (!existsSync(manifestFile)) buildAssets()
  t = await createTestApp()
})

afterAll(() => t.close())

describe('static assets', () => {
  it('the layout links each asset by a name that carries its content hash', async () => {
    const html = await (await t.app.request('/login')).text()

    for (const name of ['uno.css', 'htmx.min.js', 'app.js', 'favicon.svg']) {
      const url = assetUrl(name)
      expect(url).toMatch(/^\/public\/build\/[a-z.]+\.[0-9a-f]{12}\.(css|js|svg)$/)
      expect(html).toContain(`"${url}"`)
    }
  })

  it('a fingerprinted asset is cached for a year and sent as brotli or gzip when accepted', async () => {
    const url = assetUrl('app.js')
    const plain = readFileSync(join(process.cwd(), url))

    const br = await t.app.request(url, { headers: { 'accept-encoding': 'gzip, deflate, br' } })
    expect(br.status).toBe(200)
    expect(br.headers.get('cache-control')).toBe(IMMUTABLE)
    expect(br.headers.get('content-encoding')).toBe('br')
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer()))).toEqual(plain)

    const gz = await t.app.request(url, { headers: { 'accept-encoding': 'gzip' } })
    expect(gz.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer()))).toEqual(plain)
  })

  it('pages are gzip-compressed when accepted and never stored', async () => {
    const res = await t.app.request('/login', { headers: { 'accept-encoding': 'gzip' } })

    expect(res.headers.get('content-encoding')).toBe('gzip')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(gunzipSync(Buffer.from(await res.arrayBuffer())).toString()).toContain('<html')
  })

  it('the asset build leaves everything as it was when no input changed', () => {
    buildAssets()
    const manifest = readFileSync(manifestFile, 'utf8')
    const builtAt = statSync(manifestFile).mtimeMs

    buildAssets()

    expect(statSync(manifestFile).mtimeMs).toBe(builtAt)
    expect(readFileSync(manifestFile, 'utf8')).toBe(manifest)
  })
})
