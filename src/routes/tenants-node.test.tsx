import { beforeAll, describe, expect, it } from 'vitest'
import { listTenants } from '../db/tenants.js'
import { ALL_TENANTS } from '../db/tenant-scope.js'
import { createTenant, uniqueSuffix } from '../test-support/factories.js'
import { parseHtml, tableRows, textOf } from '../test-support/html.js'
import { getPage } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'
import { TenantTable, type TenantListQuery } from '../views/tenants/tenants-page.js'

// The tenants table's placement (issue 13 item 5): the node filter narrows the rows, with sort
// and paging intact; the Node column and filter appear only when the route passes Citus nodes.
// Snapshots with a node are written directly: the filter reads storage_snapshots, on any server.

const t = useTestApp()
let cookie: string
let marker: string
const ids: Record<string, string> = {}

async function place(tenantId: string, node: string | null, dbBytes: number) {
  await t.db
    .insertInto('storage_snapshots')
    .values({ tenant_id: tenantId, db_bytes: dbBytes, file_bytes: 0, taken_at: new Date(), node })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ db_bytes: dbBytes, node }))
    .execute()
}

beforeAll(async () => {
  ;({ cookie } = await t.signedInOwner())
  marker = `placed${uniqueSuffix()}`
  const specs = [
    ['alpha', 'w1:5432', 3_000],
    ['bravo', 'w2:5432', 9_000],
    ['charlie', 'w1:5432', 7_000],
    ['delta', null, 1_000],
  ] as const
  for (const [name, node, bytes] of specs) {
    ids[name] = (await createTenant(t.db, { name: `${name} ${marker}` })).id
    await place(ids[name]!, node, bytes)
  }
})

async function names(path: string): Promise<string[]> {
  const res = await getPage(t.app, path, cookie)
  expect(res.status).toBe(200)
  // The sorted column's header carries its arrow (Name▲).
  const rows = tableRows(await res.text(), '#tenant-table table')
  return rows.map(
    (r) =>
      Object.entries(r)
        .find(([k]) => k.startsWith('Name'))![1]
        .split(' ')[0]!,
  )
}

describe('the node filter', () => {
  it('lists only the tenants whose last snapshot puts them on that node, in the chosen order', async () => {
    const q = `q=${marker}`
    expect(await names(`/tenants?${q}&node=w1:5432&sort=storage&dir=desc`)).toEqual([
      'charlie',
      'alpha',
    ])
    expect(await names(`/tenants?${q}&node=w1:5432&sort=name&dir=asc`)).toEqual([
      'alpha',
      'charlie',
    ])
    expect(await names(`/tenants?${q}`)).toHaveLength(4)
  })

  it('keeps paging within the filter and counts only its rows', async () => {
    const filter = { q: marker, node: 'w1:5432', sort: 'name' as const, dir: 'asc' as const }
    const second = await listTenants(t.db, ALL_TENANTS, { ...filter, page: 2, perPage: 1 })
    expect(second.items.map((i) => i.id)).toEqual([ids.charlie])
    expect(second.items[0]!.node).toBe('w1:5432')
    expect(second.total).toBe(2)
  })

  it('matches nothing for a value no node has, as for an unknown plan', async () => {
    const res = await getPage(t.app, `/tenants?q=${marker}&node=nowhere:1`, cookie)
    expect(res.status).toBe(200)
    expect(textOf(await res.text(), '#tenant-table tbody')).toBe('No tenants match.')
  })

  it('off Citus the table has no Node column and no node filter', async () => {
    const body = await (await getPage(t.app, `/tenants?q=${marker}`, cookie)).text()
    if (t.database.citus) return
    expect(Object.keys(tableRows(body, '#tenant-table table')[0]!)).not.toContain('Node')
    expect(parseHtml(body).querySelector('#tenant-node')).toBeNull()
  })
})

describe('the Node column', () => {
  it('shows each tenant\'s node, "coordinator (local)" for a measured local schema', async () => {
    const { owner } = await t.signedInOwner()
    const page = await listTenants(t.db, ALL_TENANTS, { q: marker, sort: 'name', dir: 'asc' })
    const query: TenantListQuery = {
      ...{ q: marker, status: '', plan: '', from: '', to: '', flag: '', flag_state: '' },
      ...{ sort: 'name', dir: 'asc', page: 1 },
    }
    const html = String(
      <TenantTable
        {...{ operator: owner.admin, items: page.items, total: page.total, perPage: 50, query }}
        {...{ errors: {}, snapshotAt: page.snapshotAt, now: new Date() }}
        citusNodes={['w1:5432', 'w2:5432']}
      />,
    )
    const rows = tableRows(html, 'table')
    expect(rows.map((r) => r['Node'])).toEqual([
      'w1:5432',
      'w2:5432',
      'w1:5432',
      'coordinator (local)',
    ])
  })
})
