// The yardstick for /tenants: a bare Hono app that renders the same 50 rows as plain JSX, held
// in memory — no database, no session, no middleware. What /tenants costs beyond it is ours.
import { Hono } from 'hono'
import type { TenantListItem } from '../../src/db/tenants.js'
import { TenantTable, type TenantTableProps } from '../../src/views/tenants/tenants-page.js'
import { compressResponses } from '../../src/web/compression.js'

export function createBaselineApp(rows: TenantListItem[]) {
  const app = new Hono()
  app.get('/tenants', (c) =>
    c.html(
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>Tenants</title>
        </head>
        <body>
          <h1>Tenants</h1>
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
        </body>
      </html>,
    ),
  )
  return app
}

/**
 * The second yardstick: the same bare app, but rendering Fleetdeck's own `TenantTable` for the same
 * 50 rows and compressing it as Fleetdeck does. The gap to this one is what the database, the
 * session, the middleware and the layout cost; the gap to the plain one adds the markup.
 */
export function createSameMarkupBaselineApp(props: TenantTableProps) {
  const app = new Hono()
  app.use(compressResponses)
  app.get('/tenants', (c) =>
    c.html(
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>Tenants</title>
        </head>
        <body>
          <main>
            <h1>Tenants</h1>
            <TenantTable {...props} />
          </main>
        </body>
      </html>,
    ),
  )
  return app
}
