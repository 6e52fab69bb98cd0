import { describe, expect, it } from 'vitest'
import { getPage } from '../test-support/requests.js'
import { newTenantFields } from '../test-support/factories.js'
import { useTestApp } from '../test-support/test-app.js'
import { createTenantRecord } from '../tenancy/onboarding.js'
import { listLastBackups, SHOWN_BACKUP_ROWS } from './backup-overview.js'

// /fleet/backups lists the 50 stalest live tenants, not every one (review finding 7 of
// issue 11), and counts the rest.

const t = useTestApp()
const HOUR = 3_600_000

/** A tenant row (no schema: only the list is under test), with a backup `ageMs` old, or none. */
async function tenantWithBackup(slug: string, ageMs: number | null, now: Date) {
  const made = await createTenantRecord(t.db, { actor: null }, newTenantFields({ slug }), now)
  if (!made.ok) throw new Error(slug)
  if (ageMs === null) return made.tenant
  await t.db
    .insertInto('tenant_backups')
    .values({
      ...{
        id: crypto.randomUUID(),
        tenant_id: made.tenant.id,
        slug,
        schema_name: `tenant_${slug}`,
      },
      ...{ reason: 'manual', format: 'pg_dump', file_name: `${slug}/x`, size_bytes: 1024 },
      ...{ sha256: 'ab', created_at: new Date(now.getTime() - ageMs), duration_ms: 1 },
    })
    .execute()
  return made.tenant
}

describe('the backups overview', () => {
  it('shows the 50 stalest tenants, never backed up first, and counts the fresh rest', async () => {
    const now = new Date(t.clock.now())
    for (let i = 0; i < 3; i++) await tenantWithBackup(`bo-never-${i}`, null, now)
    for (let i = 0; i < 2; i++) await tenantWithBackup(`bo-old-${i}`, (5 + i) * 24 * HOUR, now)
    for (let i = 0; i < 50; i++) await tenantWithBackup(`bo-fresh-${i}`, HOUR, now)

    const overview = await listLastBackups(t.db, now)

    expect(overview.shown).toHaveLength(SHOWN_BACKUP_ROWS)
    expect(overview.shown.slice(0, 5).map((r) => r.slug)).toEqual([
      ...['bo-never-0', 'bo-never-1', 'bo-never-2', 'bo-old-1', 'bo-old-0'],
    ])
    expect(overview.shown[3]).toMatchObject({ sizeBytes: 1024, backupId: expect.any(String) })
    expect(overview).toMatchObject({ total: 55, stale: 5 })
    const { cookie } = await t.signedInOwner()
    const page = await (await getPage(t.app, '/fleet/backups', cookie)).text()
    expect(page).toContain('5 of 55 tenants')
    expect(page).toContain('5 more tenants backed up within 2 days.')
    expect(page.match(/href="\/tenants\/[^"#]+#backups"/g)).toHaveLength(SHOWN_BACKUP_ROWS)
  })
})
