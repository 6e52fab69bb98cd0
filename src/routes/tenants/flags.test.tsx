import { beforeAll, describe, expect, it } from 'vitest'
import { createSession } from '../../auth/session.js'
import { findTenantOverrides } from '../../db/flags.js'
import type { OperatorRole } from '../../db/schema.js'
import type { Tenant } from '../../db/tenants.js'
import { auditEntries, countRows } from '../../test-support/database-state.js'
import { createFlag, createSuperAdmin, createTenant } from '../../test-support/factories.js'
import { parseHtml, readableText, textOf } from '../../test-support/html.js'
import { getPage, postForm, sendForm, SESSION_COOKIE } from '../../test-support/requests.js'
import { useTestApp } from '../../test-support/test-app.js'

const t = useTestApp()
let cookie: string
let tenant: Tenant

beforeAll(async () => {
  ;({ cookie } = await t.signedInOwner())
  tenant = await createTenant(t.db, { planId: 'professional' })
})

async function cookieOf(role: OperatorRole): Promise<string> {
  const who = await createSuperAdmin(t.db, t.config, { role })
  const { token } = await createSession(
    t.db,
    who.admin.id,
    { twoFactorVerified: true },
    new Date(t.clock.now()),
  )
  return `${SESSION_COOKIE}=${token}`
}

/** The "Feature flags" row of `key` on the tenant page: cells and button names. */
function flagRow(html: string, key: string) {
  const row = parseHtml(html).querySelector(`#tenant-flag-row-${key}`)
  if (!row) return undefined
  return {
    cells: row.querySelectorAll('th, td').map(readableText).slice(0, 3),
    buttons: row.querySelectorAll('button').map(readableText),
  }
}

const overrideOf = async (flagId: string) =>
  (await findTenantOverrides(t.db, tenant.id)).get(flagId)

describe('the tenant page’s feature flags', () => {
  it('lists every active flag with its value and why, and leaves archived flags out', async () => {
    const byPlan = await createFlag(t.db, { planValues: { professional: true } })
    const archived = await createFlag(t.db, { archived: true })
    const html = await (await getPage(t.app, `/tenants/${tenant.id}`, cookie)).text()
    expect(flagRow(html, byPlan.key)).toEqual({
      cells: [byPlan.key, 'On', 'Value of the Professional plan'],
      buttons: [`Turn off ${byPlan.key}`],
    })
    expect(flagRow(html, archived.key)).toBeUndefined()
  })

  it('turns a flag on for the tenant with an override, audited, and comes back with a flash', async () => {
    const flag = await createFlag(t.db)
    const res = await postForm(
      t.app,
      `/tenants/${tenant.id}/flags/${flag.key}`,
      { value: 'on' },
      cookie,
    )
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/tenants/${tenant.id}#tenant-flags`)
    expect(await overrideOf(flag.id)).toBe(true)
    const [entry] = (await auditEntries(t.db, 'flag.override.set')).filter(
      (e) => e.target_id === flag.key,
    )
    expect(entry).toMatchObject({ tenant_id: tenant.id })
    expect(entry.before).toMatchObject({ override: null })
    expect(entry.after).toMatchObject({ override: true })
    const html = await (
      await getPage(
        t.app,
        `/tenants/${tenant.id}`,
        `${cookie}; ${res.headers
          .getSetCookie()
          .map((l) => l.split(';')[0])
          .join('; ')}`,
      )
    ).text()
    expect(html).toContain(`${flag.key} is now On for ${tenant.slug} (override).`)
    expect(flagRow(html, flag.key)).toEqual({
      cells: [flag.key, 'On', 'Override for this tenant'],
      buttons: [`Turn off ${flag.key}`, 'Clear override'],
    })
  })

  it('swaps the section under htmx and clears the override with DELETE', async () => {
    const flag = await createFlag(t.db, { overrides: { [tenant.id]: true } })
    const res = await sendForm(
      t.app,
      'DELETE',
      `/tenants/${tenant.id}/flags/${flag.key}`,
      {},
      cookie,
      {
        'hx-request': 'true',
      },
    )
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(parseHtml(html).querySelector('#tenant-flags')).not.toBe(null)
    expect(textOf(html, '#live-region')).toBe(`Override of ${flag.key} cleared for ${tenant.slug}.`)
    expect(flagRow(html, flag.key)?.cells).toEqual([flag.key, 'Off', 'Default'])
    expect(await overrideOf(flag.id)).toBeUndefined()
    expect(
      (await auditEntries(t.db, 'flag.override.remove')).some((e) => e.target_id === flag.key),
    ).toBe(true)
  })

  it('sets a string flag’s variant from its select', async () => {
    const flag = await createFlag(t.db, { type: 'string', variants: ['a', 'b'], defaultValue: 'a' })
    const html = await (await getPage(t.app, `/tenants/${tenant.id}`, cookie)).text()
    expect(flagRow(html, flag.key)?.buttons).toEqual(['Set'])
    const res = await postForm(
      t.app,
      `/tenants/${tenant.id}/flags/${flag.key}`,
      { value: 'b' },
      cookie,
    )
    expect(res.status).toBe(303)
    expect(await overrideOf(flag.id)).toBe('b')
  })

  it('refuses to override an archived flag (422 under htmx) and writes nothing', async () => {
    const flag = await createFlag(t.db, { archived: true })
    const audit = await countRows(t.db, 'audit_log')
    const res = await postForm(
      t.app,
      `/tenants/${tenant.id}/flags/${flag.key}`,
      { value: 'on' },
      cookie,
      {
        'hx-request': 'true',
      },
    )
    expect(res.status).toBe(422)
    expect(textOf(await res.text(), '#live-region')).toBe(
      `Flag ${flag.key} is archived: it cannot be overridden.`,
    )
    expect(await overrideOf(flag.id)).toBeUndefined()
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
  })

  it('refuses a value the flag does not have and an unknown flag', async () => {
    const flag = await createFlag(t.db, { type: 'string', variants: ['a'], defaultValue: 'a' })
    const bad = await postForm(
      t.app,
      `/tenants/${tenant.id}/flags/${flag.key}`,
      { value: 'zzz' },
      cookie,
      {
        'hx-request': 'true',
      },
    )
    expect(bad.status).toBe(422)
    expect(await overrideOf(flag.id)).toBeUndefined()
    const unknown = await postForm(
      t.app,
      `/tenants/${tenant.id}/flags/no-such-flag`,
      { value: 'on' },
      cookie,
    )
    expect(unknown.status).toBe(404)
  })

  it('shows a viewer, support and an operator values and why but no toggle, and refuses their posts', async () => {
    const flag = await createFlag(t.db)
    for (const role of ['viewer', 'support', 'operator'] as const) {
      const who = await cookieOf(role)
      const html = await (await getPage(t.app, `/tenants/${tenant.id}`, who)).text()
      expect(flagRow(html, flag.key), role).toEqual({
        cells: [flag.key, 'Off', 'Default'],
        buttons: [],
      })
      const res = await postForm(
        t.app,
        `/tenants/${tenant.id}/flags/${flag.key}`,
        { value: 'on' },
        who,
      )
      expect(res.status, role).toBe(403)
    }
    expect(await overrideOf(flag.id)).toBeUndefined()
  })
})
