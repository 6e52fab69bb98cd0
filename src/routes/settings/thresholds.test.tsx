import { beforeEach, describe, expect, it } from 'vitest'
import { STEP_UP_SECONDS } from '../../web/guards.js'
import { auditEntries } from '../../test-support/database-state.js'
import { createSuperAdmin } from '../../test-support/factories.js'
import { fieldError, parseHtml } from '../../test-support/html.js'
import { getPage, send, signIn } from '../../test-support/requests.js'
import { useTestApp } from '../../test-support/test-app.js'
import { followWithFlash } from '../../test-support/plan-scenes.js'
import { THRESHOLDS } from '../../health/metrics.js'

// /settings/thresholds (issue 10 items 3 and 6): owners edit the health thresholds.

const t = useTestApp()

/** Every field of the form as the page fills it, with `changes` laid over. */
async function formWith(cookie: string, changes: Record<string, string>) {
  const html = await (await getPage(t.app, '/settings/thresholds', cookie)).text()
  const fields: Record<string, string> = {}
  for (const input of parseHtml(html).querySelectorAll('#thresholds input'))
    fields[input.getAttribute('name')!] = input.getAttribute('value')!
  return { ...fields, ...changes }
}

async function storedOverrides() {
  const row = await t.db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', 'health_thresholds')
    .executeTakeFirst()
  return row?.value
}

beforeEach(async () => {
  await t.db.deleteFrom('settings').where('key', '=', 'health_thresholds').execute()
})

describe('health thresholds', () => {
  it('the form shows every threshold at its default', async () => {
    const { cookie } = await t.signedInOwner()
    const fields = await formWith(cookie, {})
    expect(Object.keys(fields)).toHaveLength(THRESHOLDS.length * 2)
    expect(fields['pool.warning']).toBe('70')
    expect(fields['pool.critical']).toBe('90')
    expect(fields['cache_hit.warning']).toBe('99')
  })

  it('an owner saves a threshold: only the override is stored, audited with before and after', async () => {
    const { owner, cookie } = await t.signedInOwner()
    const fields = await formWith(cookie, { 'cpu.warning': '50', 'cpu.critical': '60' })

    const res = await send(t.app, 'POST', '/settings/thresholds', { fields, cookie })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/settings/thresholds')
    expect(await storedOverrides()).toEqual({ cpu: { warning: 50, critical: 60 } })
    expect((await auditEntries(t.db, 'settings.health_thresholds')).at(-1)).toMatchObject({
      actor_id: owner.admin.id,
      before: { thresholds: {} },
      after: { thresholds: { cpu: { warning: 50, critical: 60 } } },
    })
    expect(await followWithFlash(t.app, res, cookie)).toContain('Health thresholds saved.')
    expect((await formWith(cookie, {}))['cpu.warning']).toBe('50')
  })

  it('a warning past the critical value is refused with 422 next to the field, nothing stored', async () => {
    const { cookie } = await t.signedInOwner()
    const before = (await auditEntries(t.db, 'settings.health_thresholds')).length
    const fields = await formWith(cookie, {
      'pool.warning': '95',
      'cache_hit.warning': '90',
      'disk.critical': 'lots',
      'redis.critical': '120',
    })

    const res = await send(t.app, 'POST', '/settings/thresholds', { fields, cookie })

    expect(res.status).toBe(422)
    const html = await res.text()
    expect(fieldError(html, 'pool.warning')).toBe(
      'The warning must not be above the critical value (90).',
    )
    expect(fieldError(html, 'cache_hit.warning')).toBe(
      'The warning must not be below the critical value (95).',
    )
    expect(fieldError(html, 'disk.critical')).toBe('Enter a number, like 70 or 2.5.')
    expect(fieldError(html, 'redis.critical')).toBe('A percentage is at most 100.')
    expect(fieldError(html, 'cpu.warning')).toBeUndefined()
    expect(parseHtml(html).querySelector('[name="disk.critical"]')!.getAttribute('value')).toBe(
      'lots',
    )
    expect(await storedOverrides()).toBeUndefined()
    expect(await auditEntries(t.db, 'settings.health_thresholds')).toHaveLength(before)
  })

  it('reset puts every threshold back to its default and is audited', async () => {
    const { cookie } = await t.signedInOwner()
    await send(t.app, 'POST', '/settings/thresholds', {
      fields: await formWith(cookie, { 'memory.warning': '60' }),
      cookie,
    })

    const res = await send(t.app, 'POST', '/settings/thresholds', {
      fields: { _method: 'DELETE' },
      cookie,
    })

    expect(res.status).toBe(303)
    expect(await storedOverrides()).toBeUndefined()
    expect((await auditEntries(t.db, 'settings.health_thresholds')).at(-1)).toMatchObject({
      before: { thresholds: { memory: { warning: 60, critical: 90 } } },
      after: { thresholds: {} },
    })
  })

  it('saving needs a recent TOTP: after the step-up window it sends the owner to step up, nothing stored', async () => {
    const owner = await createSuperAdmin(t.db, t.config)
    const cookie = await signIn(t.app, owner, t.clock)
    const fields = await formWith(cookie, { 'cpu.warning': '10' })
    t.clock.advance((STEP_UP_SECONDS + 60) * 1000)

    const res = await send(t.app, 'POST', '/settings/thresholds', { fields, cookie })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toMatch(/^\/step-up\?next=/)
    expect(await storedOverrides()).toBeUndefined()
  })

  it('an admin may not change thresholds', async () => {
    const admin = await createSuperAdmin(t.db, t.config, { role: 'admin' })
    const cookie = await signIn(t.app, admin, t.clock)
    const res = await send(t.app, 'POST', '/settings/thresholds', {
      fields: { 'cpu.warning': '10', 'cpu.critical': '20' },
      cookie,
    })
    expect(res.status).toBe(403)
    expect(await storedOverrides()).toBeUndefined()
  })
})
