import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { boardOf, insertDrawing, listDrawings } from '../board-db.js'
import type { BoardEnv } from '../env.js'
import { audit, formOf, memberOf, redirectWithFlash, renderPage } from '../page.js'
import { DrawingsPage, type DrawingDraft } from '../views/drawings-page.js'

// Drawings, behind the `drawings-beta` flag that Fleetdeck serves over OFREP: while it is off for
// the tenant, the page and its form answer 404 as if they did not exist, and the link is hidden.

const size = (label: string) =>
  z.coerce
    .number({ error: `Give the ${label} in pixels.` })
    .int({ error: `Give the ${label} as a whole number of pixels.` })
    .min(16, { error: `The ${label} is at least 16 pixels.` })
    .max(8192, { error: `The ${label} is at most 8,192 pixels.` })

const drawingForm = z.object({
  title: z
    .string()
    .trim()
    .min(1, { error: 'Give the drawing a title.' })
    .max(120, { error: 'Keep the title under 120 characters.' }),
  width: size('width'),
  height: size('height'),
})

export function drawingRoutes(member: MiddlewareHandler<BoardEnv>) {
  const routes = new Hono<BoardEnv>()

  routes.get('/t/:slug/drawings', member, async (c) => {
    if (!c.var.features?.drawings) return notFound(c)
    const drawings = await listDrawings(boardOf(c.var.deps.db, c.var.fleetdeck.tenant.slug))
    return renderPage(
      c,
      'Drawings',
      <DrawingsPage slug={c.var.fleetdeck.tenant.slug} drawings={drawings} />,
    )
  })

  routes.post('/t/:slug/drawings', member, async (c) => {
    if (!c.var.features?.drawings) return notFound(c)
    const slug = c.var.fleetdeck.tenant.slug
    const form = await formOf(c)
    const parsed = drawingForm.safeParse(form)
    if (!parsed.success) {
      const errors: Partial<Record<keyof DrawingDraft, string>> = {}
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] as keyof DrawingDraft
        errors[field] ??= issue.message
      }
      const draft = { title: form.title ?? '', width: form.width ?? '', height: form.height ?? '' }
      const drawings = await listDrawings(boardOf(c.var.deps.db, slug))
      const page = <DrawingsPage slug={slug} drawings={drawings} draft={draft} errors={errors} />
      return renderPage(c, 'Drawings', page, 422)
    }
    await audit(c, 'drawing.added', { title: parsed.data.title })
    await insertDrawing(boardOf(c.var.deps.db, slug), {
      ...parsed.data,
      authorEmail: memberOf(c).email,
    })
    return redirectWithFlash(c, `/t/${slug}/drawings`, `Drawing “${parsed.data.title}” added.`)
  })

  return routes
}

function notFound(c: Context<BoardEnv>) {
  return renderPage(
    c,
    'Not found',
    <>
      <h1>Not found</h1>
      <p>There is nothing here.</p>
    </>,
    404,
  )
}
