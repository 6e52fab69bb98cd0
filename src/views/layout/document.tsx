import type { Child, FC } from 'hono/jsx'
import { assetUrl } from '../../web/assets.js'

const HTMX_CONFIG = JSON.stringify({
  allowEval: false,
  allowScriptTags: false,
  includeIndicatorStyles: false,
  historyCacheSize: 0,
  defaultSwapStyle: 'outerHTML',
  // htmx 2 swaps only 2xx by default; a 422 carries the form with its messages, so swap it too.
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '422', swap: true },
    { code: '[45]..', swap: false, error: true },
  ],
})

/** The HTML document every page shares: head, assets, htmx settings. */
export const Document: FC<{ title: string; children: Child; bodyClass?: string }> = (props) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="htmx-config" content={HTMX_CONFIG} />
      <title>{props.title} · Fleetdeck</title>
      <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
      <link rel="stylesheet" href={assetUrl('uno.css')} />
      <script src={assetUrl('htmx.min.js')} defer></script>
      <script src={assetUrl('app.js')} defer></script>
    </head>
    <body class={`m-0 ${props.bodyClass ?? 'bg-slate-100 text-slate-900 font-sans antialiased'}`}>
      {props.children}
    </body>
  </html>
)
