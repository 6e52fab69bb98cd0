import { describe, expect, it } from 'vitest'
import { findTenantBySlug } from '../../db/tenants.js'
import { createTenantBackup } from '../../fleet/backups.js'
import { auditEntries, countRows } from '../../test-support/database-state.js'
import { createSuperAdmin, createTenant, newTenantFields } from '../../test-support/factories.js'
import { getPage, postForm, signIn } from '../../test-support/requests.js'
import { tempBackupDir, tenantRows } from '../../test-support/schema-rows.js'
import { useTestApp } from '../../test-support/test-app.js'

// /fleet/backups (issue 11 item 5): the overview, the fleet backup as a job run, and restore
// into a new tenant with its 422s and step-up.

const t = useTestApp({ BACKUP_DIR: tempBackupDir() })

async function backedUp() {
  const tenant = await createTenant(t.db)
  const made = await createTenantBackup(t.database, t.config, { actor: null }, tenant.id, 'manual')
  if (!made.ok) throw new Error(made.reason)
  return { tenant, backup: made.backup }
}

function fields(overrides: Record<string, string> = {}) {
  const { via: _, ...rest } = newTenantFields()
  return { ...rest, ...overrides }
}

describe('/fleet/backups', () => {
  it('lists tenants never backed up before backed-up ones, with the queue depth', async () => {
    const { cookie } = await t.signedInOwner()
    const { tenant: done } = await backedUp()
    const never = await createTenant(t.db)

    const page = await (await getPage(t.app, '/fleet/backups', cookie)).text()

    expect(page.indexOf(never.slug)).toBeLessThan(page.indexOf(done.slug))
    expect(page).toContain('0 waiting, 0 running')
    expect(page).toContain('Back up every tenant')
  })

  it('"Back up every tenant" starts a backup run of every live tenant and opens it', async () => {
    const { cookie } = await t.signedInOwner()
    await createTenant(t.db)
    const live = await t.db
      .selectFrom('tenants')
      .where('status', '!=', 'deleted')
      .select('id')
      .execute()

    const res = await postForm(t.app, '/fleet/backups', {}, cookie)

    const run = await t.db
      .selectFrom('job_runs')
      .selectAll()
      .where('kind', '=', 'backup')
      .executeTakeFirstOrThrow()
    expect(res.headers.get('location')).toBe(`/jobs/${run.id}`)
    expect(run.total).toBe(live.length)
    const page = await (await getPage(t.app, '/fleet/backups', cookie)).text()
    expect(page).toContain(`${live.length} waiting, 0 running`)
  })

  it('restores a backup into a new tenant with the same data', async () => {
    const { cookie } = await t.signedInOwner()
    const { tenant, backup } = await backedUp()
    const form = fields()

    const res = await postForm(t.app, `/fleet/backups/${backup.id}/tenant`, form, cookie)

    expect(res.status).toBe(303)
    const copy = await findTenantBySlug(t.db, form.slug)
    expect(copy?.status).toBe('active')
    expect(res.headers.get('location')).toBe(`/tenants/${copy!.id}`)
    const { audit_log: _a, ...copied } = await tenantRows(t.db, form.slug)
    const { audit_log: _b, ...source } = await tenantRows(t.db, tenant.slug)
    expect(copied).toEqual(source)
    expect((await auditEntries(t.db, 'tenant.restore')).some((e) => e.target_id === copy!.id)).toBe(
      true,
    )
  })

  it('answers 422 beside the field for a bad or taken slug, creating nothing', async () => {
    const { cookie } = await t.signedInOwner()
    const { tenant, backup } = await backedUp()
    const before = await countRows(t.db, 'tenants')

    const bad = await postForm(
      t.app,
      `/fleet/backups/${backup.id}/tenant`,
      fields({ slug: 'Bad Slug' }),
      cookie,
    )
    const taken = await postForm(
      t.app,
      `/fleet/backups/${backup.id}/tenant`,
      fields({ slug: tenant.slug }),
      cookie,
    )

    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('Use 2–39 lowercase letters')
    expect(taken.status).toBe(422)
    expect(await taken.text()).toContain('This slug is taken')
    expect(await countRows(t.db, 'tenants')).toBe(before)
  })

  it('needs step-up, and is refused to an operator', async () => {
    const { backup } = await backedUp()
    const operator = await createSuperAdmin(t.db, t.config, { role: 'operator' })
    const owner = await createSuperAdmin(t.db, t.config, { role: 'owner' })
    const operatorCookie = await signIn(t.app, operator, t.clock)
    const ownerCookie = await signIn(t.app, owner, t.clock)
    const before = await countRows(t.db, 'tenants')
    t.clock.advance(11 * 60_000)

    const refused = await postForm(
      t.app,
      `/fleet/backups/${backup.id}/tenant`,
      fields(),
      operatorCookie,
    )
    const late = await postForm(t.app, `/fleet/backups/${backup.id}/tenant`, fields(), ownerCookie)

    expect(refused.status).toBe(403)
    expect(late.headers.get('location')).toMatch(/^\/step-up/)
    expect(await countRows(t.db, 'tenants')).toBe(before)
  })
})
