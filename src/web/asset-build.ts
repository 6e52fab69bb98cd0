// Builds what `public/` serves but git does not keep: uno.css from the classes in the TSX
// sources, and the pinned htmx copied from node_modules (no CDN, no bundle). Then fingerprints
// every asset the layout links — `public/build/<name>.<content hash>.<ext>`, with gzip and brotli
// copies beside it — and writes `public/build/manifest.json` (name → URL), which
// src/web/assets.ts reads. Skips all of it when the inputs' hashes match the last build, so
// `npm start` does not rebuild unchanged assets.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { transformSync } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const require = createRequire(import.meta.url)
const publicDir = join(root, 'public')
const buildDir = join(publicDir, 'build')
const manifestFile = join(buildDir, 'manifest.json')
const htmxSource = require.resolve('htmx.org/dist/htmx.min.js')

/** The files the layout links, by the name it asks for (src/web/assets.ts). */
const ASSETS = ['uno.css', 'htmx.min.js', 'app.js', 'favicon.svg']

function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => pattern.test(f))
    .map((f) => join(dir, f))
    .sort()
}

/** One hash over every input of the build: the sources UnoCSS scans, its config, the assets. */
function inputsHash(): string {
  const inputs = [
    ...filesUnder(join(root, 'src'), /\.tsx$/),
    join(root, 'uno.config.ts'),
    join(publicDir, 'app.js'),
    join(publicDir, 'favicon.svg'),
    htmxSource,
    fileURLToPath(import.meta.url),
  ]
  const hash = createHash('sha256')
  for (const file of inputs)
    hash.update(relative(root, file)).update('\0').update(readFileSync(file))
  return hash.digest('hex')
}

function upToDate(hash: string): boolean {
  if (!existsSync(manifestFile)) return false
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    inputs?: string
    assets?: Record<string, string>
  }
  return (
    manifest.inputs === hash &&
    ASSETS.every((name) => {
      const url = manifest.assets?.[name]
      return url !== undefined && existsSync(join(root, url))
    })
  )
}

function buildSources(): void {
  copyFileSync(htmxSource, join(publicDir, 'htmx.min.js'))
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules', '@unocss', 'cli', 'bin', 'unocss.mjs'),
      'src/**/*.tsx',
      'public/app.js',
      '-o',
      'public/uno.css',
      '-m',
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  )
}

/**
 * Our own scripts shrink by half minified (esbuild, already tsx's compiler); htmx ships minified
 * and UnoCSS writes minified CSS. What a browser needs to read stays in public/app.js.
 */
function minified(name: string, content: Buffer): Buffer {
  if (!name.endsWith('.js') || name.endsWith('.min.js')) return content
  return Buffer.from(transformSync(content.toString('utf8'), { minify: true, loader: 'js' }).code)
}

/** Copies each asset to its fingerprinted name (plus .gz and .br) and drops older builds. */
function fingerprint(hash: string): void {
  mkdirSync(buildDir, { recursive: true })
  const assets: Record<string, string> = {}
  const keep = new Set(['manifest.json'])
  for (const name of ASSETS) {
    const content = minified(name, readFileSync(join(publicDir, name)))
    const digest = createHash('sha256').update(content).digest('hex').slice(0, 12)
    const dot = name.lastIndexOf('.')
    const file = `${name.slice(0, dot)}.${digest}${name.slice(dot)}`
    writeFileSync(join(buildDir, file), content)
    writeFileSync(join(buildDir, `${file}.gz`), gzipSync(content, { level: 9 }))
    writeFileSync(
      join(buildDir, `${file}.br`),
      brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    )
    for (const suffix of ['', '.gz', '.br']) keep.add(file + suffix)
    assets[name] = `/public/build/${file}`
  }
  for (const old of readdirSync(buildDir)) if (!keep.has(old)) rmSync(join(buildDir, old))
  writeFileSync(manifestFile, JSON.stringify({ inputs: hash, assets }, null, 2) + '\n')
}

/**
 * Builds the assets unless the last build had the same inputs; `npm start` runs it inside the
 * server process (no extra npm and tsx start, ~0.7 s of a warm start), `npm run assets` alone.
 * @returns true when it built, false when everything was up to date (a hash of ~50 files, ms)
 * @throws when UnoCSS fails (its message is on stderr)
 */
export function ensureAssets(): boolean {
  const hash = inputsHash()
  if (upToDate(hash)) return false
  buildSources()
  fingerprint(hash)
  return true
}
