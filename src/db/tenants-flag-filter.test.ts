import { describe, expect, it } from 'vitest'
import { createFlag, createTenant, uniqueSuffix } from '../test-support/factories.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { listTenants } from './tenants.js'

// The tenants list's flag-state filter (issue 9 item 4): tenants are kept by the flag's
// resolved value (override, then rollout, then plan value, then default), in SQL.

const t = useTestDatabase()

describe('listTenants by flag state', () => {
  it('keeps tenants by resolved value: plan values and overrides both count', async () => {
    const marker = `flagfilter${uniqueSuffix()}`
    const free = await createTenant(t.db, { name: `${marker} free` })
    const pro = await createTenant(t.db, { name: `${marker} pro`, planId: 'professional' })
    const overridden = await createTenant(t.db, { name: `${marker} overridden` })
    const flag = await createFlag(t.db, {
      planValues: { professional: true },
      overrides: { [overridden.id]: true },
    })
    const slugs = async (value: boolean) =>
      (await listTenants(t.db, {}, { q: marker, flagState: { flag, value } })).items
        .map((i) => i.slug)
        .sort()

    expect(await slugs(true)).toEqual([overridden.slug, pro.slug].sort())
    expect(await slugs(false)).toEqual([free.slug])
    const page = await listTenants(t.db, {}, { q: marker, flagState: { flag, value: true } })
    expect(page.total).toBe(2)
  })
})
