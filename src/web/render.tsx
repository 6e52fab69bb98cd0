import type { Context } from 'hono'
import { jsxRenderer } from 'hono/jsx-renderer'
import type { HtmlEscapedString } from 'hono/utils/html'
import { AuthLayout } from '../views/layout/auth-layout.js'
import { ConsoleLayout } from '../views/layout/console-layout.js'
import { isHtmx } from './request.js'

type Markup = HtmlEscapedString | Promise<HtmlEscapedString>

/** What a page hands the layout besides its content; everything else the layout reads itself. */
export type PageProps = { title: string }

declare module 'hono' {
  interface ContextRenderer {
    (content: string | Promise<string>, props: PageProps): Response | Promise<Response>
  }
}

/** `c.render(content, { title })` in the console: sidebar, operator, scope, flash. */
export const consoleRenderer = jsxRenderer(({ children, title }) => (
  <ConsoleLayout title={title}>{children}</ConsoleLayout>
))

/** `c.render(content, { title })` for sign-in, enrolment and step-up: the narrow card. */
export const authRenderer = jsxRenderer(({ children, title }) => (
  <AuthLayout title={title}>{children}</AuthLayout>
))

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
  if (wantsFragment(c)) return c.html(fragment(), status)
  c.status(status)
  return c.render(page(), props)
}
