// The yardsticks for /tenants: bare Hono apps that render the same 50 rows held in memory — no
// database, no session, no middleware. What /tenants costs beyond them is ours.
import { Hono } from 'hono'
import type { Child } from 'hono/jsx'
import type { TenantListItem } from '../../src/db/tenants.js'
import { TenantTable, type TenantTableProps } from '../../src/views/tenants/tenants-page.js'
import { compressResponses } from '../../src/web/compression.js'

/** One page at /tenants around `body`, compressed as Fleetdeck compresses when asked. */
function tenantsApp(body: () => Child, options: { compress: boolean }) {
  const app = new Hono()
  if (options.compress) app.use(compressResponses)
  app.get('/tenants', (c) =>
    c.html(
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>Tenants</title>
        </head>
        <body>
          <h1>Tenants</h1>
          {body()}
        </body>
      </html>,
    ),
  )
  return app
}

/** The plain yardstick: the 50 rows as a minimal table, uncompressed. */
export function createBaselineApp(rows: TenantListItem[]) {
  return tenantsApp(
    () => (
      <table>
        <thead>
          <tr>
            <th>Slug</th>
            <th>Name</th>
            <th>Plan</th>
            <th>Status</th>
            <th>Members</th>
            <th>Storage</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr>
              <td>
                <a href={`/tenants/${t.id}`}>{t.slug}</a>
              </td>
              <td>{t.name}</td>
              <td>{t.planName}</td>
              <td>{t.status}</td>
              <td>{t.members}</td>
              <td>{t.storage ? t.storage.dbBytes + t.storage.fileBytes : ''}</td>
              <td>{t.createdAt.toISOString().slice(0, 10)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    ),
    { compress: false },
  )
}

/**
 * The second yardstick: Fleetdeck's own `TenantTable` for the same 50 rows, compressed as
 * Fleetdeck does. The gap to this one is what the database, the session, the middleware and the
 * layout cost; the gap to the plain one adds the markup.
 */
export function createSameMarkupBaselineApp(props: TenantTableProps) {
  return tenantsApp(() => <TenantTable {...props} />, { compress: true })
}
