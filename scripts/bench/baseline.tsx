// The yardstick for /tenants: a bare Hono app that renders the same 50 rows as plain JSX, held
// in memory — no database, no session, no middleware. What /tenants costs beyond it is ours.
import { Hono } from 'hono'
import type { TenantListItem } from '../../src/db/tenants.js'

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
