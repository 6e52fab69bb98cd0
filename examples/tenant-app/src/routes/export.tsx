import { Hono, type MiddlewareHandler } from 'hono'
import { boardOf, listNotes, type Note } from '../board-db.js'
import type { BoardEnv } from '../env.js'
import { renderPage } from '../page.js'

// Export the board as CSV, a feature of the plan (`board-export`, seed 000 "Automated License
// Enforcement"): a plan without it gets the same 404 as an address that does not exist.

export function exportRoutes(member: MiddlewareHandler<BoardEnv>) {
  const routes = new Hono<BoardEnv>()

  routes.get('/t/:slug/export.csv', member, async (c) => {
    if (!c.var.features?.export) {
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
    const slug = c.var.fleetdeck.tenant.slug
    const notes = await listNotes(boardOf(c.var.deps.db, slug))
    return c.body(notesCsv(notes), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${slug}-board.csv"`,
      'Cache-Control': 'no-store',
    })
  })

  return routes
}

/** RFC 4180 CSV of the notes, oldest first; cells that a spreadsheet would run as a formula are quoted with a leading apostrophe (OWASP "CSV Injection"). */
export function notesCsv(notes: Note[]): string {
  const rows = [['id', 'body', 'author', 'created_at']]
  for (const n of [...notes].reverse())
    rows.push([n.id, n.body, n.authorEmail, n.createdAt.toISOString()])
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n'
}

function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}
