import type { Context, MiddlewareHandler } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { Child, FC } from 'hono/jsx'
import { RequestContext } from 'hono/jsx-renderer'
import { HtmlEscapedCallbackPhase, resolveCallback, type HtmlEscapedString } from 'hono/utils/html'
import { AuthLayout } from '../views/layout/auth-layout.js'
import { ConsoleLayout } from '../views/layout/console-layout.js'
import { sendHtml } from './compression.js'
import { isHtmx } from './request.js'

type Markup = HtmlEscapedString | Promise<HtmlEscapedString>

/** What a page hands the layout besides its content; everything else the layout reads itself. */
export type PageProps = { title: string }

declare module 'hono' {
  interface ContextRenderer {
    (content: string | Promise<string>, props: PageProps): Response | Promise<Response>
  }
}

/**
 * Markup as a primitive string. Hono's JSX yields `String` objects; @hono/node-server writes a
 * primitive string body in one call but sends anything else through a web stream, which cost
 * more than rendering the 50 rows of /tenants.
 */
export async function markupText(markup: Markup): Promise<string> {
  const resolved = await resolveCallback(
    await markup,
    HtmlEscapedCallbackPhase.Stringify,
    false,
    {},
  )
  return resolved.toString()
}

/**
 * What Hono's `jsxRenderer` does — `c.render(content, props)` draws `Layout` around the page,
 * with the request in `useRequestContext()` — but answering a primitive string (`markupText`).
 */
function layoutRenderer(Layout: FC<PageProps & { children: Child }>): MiddlewareHandler {
  return createMiddleware(async (c, next) => {
    c.setRenderer(async (content, props) => {
      const page = (
        <RequestContext.Provider value={c}>
          <Layout {...props}>{content}</Layout>
        </RequestContext.Provider>
      )
      return sendHtml(c, `<!DOCTYPE html>${await markupText(page as Markup)}`)
    })
    await next()
  })
}

/** `c.render(content, { title })` in the console: sidebar, operator, scope, flash. */
export const consoleRenderer = layoutRenderer(ConsoleLayout)

/** `c.render(content, { title })` for sign-in, enrolment and step-up: the narrow card. */
export const authRenderer = layoutRenderer(AuthLayout)

/**
 * Does this request want only the fragment? htmx swaps (`HX-Request`) do; a boosted link and a
 * history restore (`HX-History-Restore-Request`: the Back button after `hx-push-url`, which
 * htmx sends with `HX-Request` too and swaps into the whole body) need the whole page.
 */
export function wantsFragment(c: Context): boolean {
  return (
    isHtmx(c) &&
    c.req.header('hx-boosted') !== 'true' &&
    c.req.header('hx-history-restore-request') !== 'true'
  )
}

/**
 * One URL, page or fragment (DESIGN.md §6): htmx requests get `fragment`, others the whole page
 * through the group's renderer, which itself renders that same fragment. `Vary` keeps caches
 * from mixing them.
 */
export function pageOrFragment(
  c: Context,
  fragment: () => Markup,
  page: () => Markup,
  props: PageProps,
  status: 200 | 422 = 200,
) {
  c.header('Vary', 'HX-Request, HX-History-Restore-Request')
  if (wantsFragment(c)) return markupText(fragment()).then((text) => sendHtml(c, text, status))
  c.status(status)
  return c.render(page(), props)
}
