// Builds what `public/` serves but git does not keep: uno.css from the views' classes, and the
// pinned htmx copied from node_modules (no CDN, no bundle).
import { execFileSync } from 'node:child_process'
import { copyFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)

copyFileSync(require.resolve('htmx.org/dist/htmx.min.js'), join(root, 'public', 'htmx.min.js'))
execFileSync(
  process.execPath,
  [
    join(root, 'node_modules', '@unocss', 'cli', 'bin', 'unocss.mjs'),
    'src/views/**/*.tsx',
    'public/app.js',
    '-o',
    'public/uno.css',
    '-m',
  ],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
)
