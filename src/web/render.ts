import type { Context } from 'hono'
import type { HtmlEscapedString } from 'hono/utils/html'
import { isHtmx } from './request.js'

type Markup = HtmlEscapedString | Promise<HtmlEscapedString>

/**
 * One URL, page or fragment (DESIGN.md §6): htmx requests get `fragment`, others the whole page,
 * which itself renders that same fragment. `Vary: HX-Request` keeps caches from mixing them.
 */
export function pageOrFragment(
  c: Context,
  fragment: () => Markup,
  page: () => Markup,
  status: 200 | 422 = 200,
) {
  c.header('Vary', 'HX-Request')
  return c.html(isHtmx(c) && c.req.header('hx-boosted') !== 'true' ? fragment() : page(), status)
}
