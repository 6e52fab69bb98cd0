import type { Child } from 'hono/jsx'
import type { Banner } from '@fleetdeck/kit'
import type { Features } from '../env.js'

// One layout for every page: the support banner first (while impersonating), the workspace's
// navigation for signed-in members, then the page. Plain CSS from /board.css, no script.

export type LayoutProps = {
  title: string
  tenant?: { slug: string; name: string }
  banner?: Banner
  /** The signed-in (or impersonated) member: shows the navigation and sign-out. */
  member?: { email: string }
  /** The optional parts this member's workspace offers (the Drawings link). */
  features?: Features
  flash?: string
  children: Child
}

export function Layout(props: LayoutProps) {
  const { tenant } = props
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{tenant ? `${props.title} · ${tenant.name}` : props.title}</title>
        <link rel="stylesheet" href="/board.css" />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        {props.banner && <SupportBanner banner={props.banner} />}
        <header class="top">
          <span class="brand">{tenant ? tenant.name : 'Notes board'}</span>
          {tenant && props.member && (
            <Nav
              slug={tenant.slug}
              email={props.member.email}
              impersonating={!!props.banner}
              drawings={props.features?.drawings ?? false}
            />
          )}
        </header>
        <main id="main" tabindex={-1}>
          {props.flash && (
            <p class="flash" role="status">
              {props.flash}
            </p>
          )}
          {props.children}
        </main>
      </body>
    </html>
  )
}

function Nav(props: { slug: string; email: string; impersonating: boolean; drawings: boolean }) {
  const base = `/t/${props.slug}`
  return (
    <nav aria-label="Workspace">
      <a href={`${base}/`}>Board</a>
      {props.drawings && <a href={`${base}/drawings`}>Drawings</a>}
      <a href={`${base}/members`}>Members</a>
      <a href={`${base}/audit`}>Audit log</a>
      <span class="who">{props.email}</span>
      {/* Support leaves through the banner's End, not the user's sign-out. */}
      {!props.impersonating && (
        <form method="post" action={`${base}/sign-out`} class="inline">
          <button type="submit">Sign out</button>
        </form>
      )}
    </nav>
  )
}

/** The kit's banner: amber, announced as a status, with the kit's End button. */
export function SupportBanner(props: { banner: Banner }) {
  return (
    <div class="support-banner" role="status">
      <span>{props.banner.text}</span>
      <form method="post" action={props.banner.endPath} class="inline">
        <button type="submit">End</button>
      </form>
    </div>
  )
}

/** A labelled input with its error, wired with aria-invalid and aria-describedby. */
export function Field(props: {
  name: string
  label: string
  type?: string
  value?: string
  error?: string
  autocomplete?: string
  required?: boolean
  hint?: string
}) {
  const id = `field-${props.name}`
  const described = [props.hint && `${id}-hint`, props.error && `${id}-error`].filter(Boolean)
  return (
    <p class="field">
      <label for={id}>{props.label}</label>
      {props.hint && (
        <span class="hint" id={`${id}-hint`}>
          {props.hint}
        </span>
      )}
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        autocomplete={props.autocomplete}
        required={props.required ?? true}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described.length ? described.join(' ') : undefined}
      />
      {props.error && (
        <span class="error" id={`${id}-error`}>
          {props.error}
        </span>
      )}
    </p>
  )
}

export const STYLESHEET = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1c1917;background:#fafaf9}
a{color:#1d4ed8}
:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px}
.support-banner{display:flex;gap:12px;align-items:center;justify-content:space-between;background:#fbbf24;color:#1c1917;padding:8px 16px;font-weight:600}
.top{display:flex;flex-wrap:wrap;gap:16px;align-items:center;justify-content:space-between;padding:12px 16px;background:#fff;border-bottom:1px solid #d6d3d1}
.brand{font-weight:700}
nav{display:flex;gap:16px;align-items:center;flex-wrap:wrap}
.who{color:#44403c}
main{max-width:48rem;margin:0 auto;padding:16px}
.inline{display:inline}
button{font:inherit;padding:4px 12px;border:1px solid #57534e;border-radius:4px;background:#fff;color:#1c1917;cursor:pointer}
button.danger{background:#b91c1c;color:#fff;border-color:#991b1b}
.field{display:flex;flex-direction:column;gap:4px;margin:0 0 12px}
input,textarea,select{font:inherit;padding:6px 8px;border:1px solid #57534e;border-radius:4px;max-width:32rem}
.hint{color:#44403c;font-size:.9em}
.error{color:#b91c1c;font-weight:600}
.flash{background:#dcfce7;border:1px solid #166534;padding:8px 12px;border-radius:4px}
.notice{background:#fef3c7;border:1px solid #92400e;padding:8px 12px;border-radius:4px}
ul.notes{list-style:none;padding:0}
ul.notes li{background:#fff;border:1px solid #d6d3d1;border-radius:4px;padding:8px 12px;margin:0 0 8px}
.meta{color:#44403c;font-size:.9em}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #d6d3d1;vertical-align:top}
.support{background:#fef3c7}
dl.details{margin:0}dl.details dt{font-weight:600;display:inline}dl.details dd{display:inline;margin:0 12px 0 4px}
`
