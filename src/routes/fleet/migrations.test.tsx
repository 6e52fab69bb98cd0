import { afterAll, describe, expect, it } from 'vitest'
import { auditEntries } from '../../test-support/database-state.js'
import { createTenant } from '../../test-support/factories.js'
import { fieldError, textOf } from '../../test-support/html.js'
import { cookieOfRole } from '../../test-support/plan-scenes.js'
import { getPage, postForm } from '../../test-support/requests.js'
import {
  ADD_COLUMN_AND_INDEX,
  catalogSnapshot,
  tenantMigrationFolder,
} from '../../test-support/tenant-migrations.js'
import { useTestApp } from '../../test-support/test-app.js'

const folder = tenantMigrationFolder({ '2030010100_checksum': ADD_COLUMN_AND_INDEX })
afterAll(() => folder.remove())
const t = useTestApp({ TENANT_MIGRATION_DIRS: folder.dir })
const now = () => new Date(t.clock.now())
const runCount = async () => (await t.db.selectFrom('job_runs').select('id').execute()).length

describe('/fleet/migrations', () => {
  it('shows each pending migration with how many tenants lack it; a viewer gets no forms', async () => {
    for (const slug of ['fm-one', 'fm-two', 'fm-three']) await createTenant(t.db, { slug })
    const viewer = await cookieOfRole(t.db, t.config, 'viewer', now())

    const res = await getPage(t.app, '/fleet/migrations', viewer)

    expect(res.status).toBe(200)
    const html = await res.text()
    expect(textOf(html, '#migration-2030010100_checksum')).toMatch(/2030010100_checksum\s*3/)
    expect(html).not.toContain('Start canary')
    expect(html).not.toContain('Show dry-run')
  })

  it("a viewer cannot open the dry-run (it runs each migration's up() in the server): 403", async () => {
    const viewer = await cookieOfRole(t.db, t.config, 'viewer', now())
    const operator = await cookieOfRole(t.db, t.config, 'operator', now())

    const res = await getPage(t.app, '/fleet/migrations/dry-run', viewer)

    expect(res.status).toBe(403)
    expect(await res.text()).not.toContain('tenant_&lt;slug&gt;')
    expect((await getPage(t.app, '/fleet/migrations', operator)).status).toBe(200)
    expect(await (await getPage(t.app, '/fleet/migrations', operator)).text()).toContain(
      'Show dry-run',
    )
  })

  it('the dry-run page shows the SQL and changes nothing', async () => {
    const { cookie } = await t.signedInOwner()
    const before = await catalogSnapshot(t.db)

    const res = await getPage(t.app, '/fleet/migrations/dry-run', cookie)

    expect(res.status).toBe(200)
    expect(await res.text()).toContain(
      'alter table &quot;tenant_&lt;slug&gt;&quot;.&quot;attachments&quot; add column',
    )
    expect(await catalogSnapshot(t.db)).toEqual(before)
  })

  it('refuses a bad N, an unknown slug and 9 workers with 422 beside the field, starting nothing', async () => {
    const { cookie } = await t.signedInOwner()
    const post = (fields: Record<string, string>) =>
      postForm(t.app, '/fleet/migrations', fields, cookie)

    const badCount = await post({ mode: 'canary', count: '0', slugs: '' })
    const unknown = await post({ mode: 'canary', count: '', slugs: 'fm-one, fm-nobody' })
    const tooMany = await post({ mode: 'run', concurrency: '9', stop_after: 'x' })

    expect([badCount.status, unknown.status, tooMany.status]).toEqual([422, 422, 422])
    expect(fieldError(await badCount.text(), 'count')).toMatch(/whole number/)
    expect(fieldError(await unknown.text(), 'slugs')).toContain('fm-nobody')
    const html = await tooMany.text()
    expect(fieldError(html, 'concurrency')).toBe('Enter a whole number from 1 to 8.')
    expect(fieldError(html, 'stop_after')).toMatch(/Leave empty/)
    expect(await runCount()).toBe(0)
  })

  it('a malformed post is a 400 and a viewer’s post a 403', async () => {
    const { cookie } = await t.signedInOwner()
    const viewer = await cookieOfRole(t.db, t.config, 'viewer', now())

    expect((await postForm(t.app, '/fleet/migrations', { mode: 'all' }, cookie)).status).toBe(400)
    const res = await postForm(t.app, '/fleet/migrations', { mode: 'canary', count: '1' }, viewer)
    expect(res.status).toBe(403)
    expect(await runCount()).toBe(0)
  })

  it('a canary of 2 starts a run of the first two tenants and redirects to its job page', async () => {
    const { cookie, owner } = await t.signedInOwner()

    const res = await postForm(t.app, '/fleet/migrations', { mode: 'canary', count: '2' }, cookie)

    expect(res.status).toBe(303)
    const run = await t.db.selectFrom('job_runs').selectAll().executeTakeFirstOrThrow()
    expect(res.headers.get('location')).toBe(`/jobs/${run.id}`)
    expect(run).toMatchObject({ kind: 'tenant_migration', total: 2, concurrency: 1 })
    const items = await t.db.selectFrom('job_items').select('target').orderBy('seq').execute()
    expect(items.map((i) => i.target)).toEqual(['fm-one', 'fm-two'])
    const [start] = await auditEntries(t.db, 'job.start')
    expect(start).toMatchObject({ actor_id: owner.admin.id, target_id: run.id })
    const again = await postForm(
      t.app,
      '/fleet/migrations',
      { mode: 'run', concurrency: '2' },
      cookie,
    )
    expect(again.status).toBe(422)
    expect(await again.text()).toContain('is still running: finish or cancel it first')
  })
})
