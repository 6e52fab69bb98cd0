// npm run assets: builds public/ (uno.css, htmx, fingerprinted copies and their manifest) unless
// nothing changed since the last build. `npm start` does the same inside the server process.
import { ensureAssets } from '../src/web/asset-build.js'

console.log(ensureAssets() ? 'assets built' : 'assets up to date')
