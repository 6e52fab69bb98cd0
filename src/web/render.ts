import type { Context } from 'hono'
import type { HtmlEscapedString } from 'hono/utils/html'
import { isHtmx } from './request.js'

type Markup = HtmlEscapedString | Promise<HtmlEscapedString>

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
 * One URL, page or fragment (DESIGN.md §6): htmx requests get `fragment`, others the whole page,
 * which itself renders that same fragment. `Vary` keeps caches from mixing them.
 */
export function pageOrFragment(
  c: Context,
  fragment: () => Markup,
  page: () => Markup,
  status: 200 | 422 = 200,
) {
  c.header('Vary', 'HX-Request, HX-History-Restore-Request')
  return c.html(wantsFragment(c) ? fragment() : page(), status)
}
