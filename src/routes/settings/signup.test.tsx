import { describe, expect, it } from 'vitest'
import { getSignupSettings } from '../../db/signup-settings.js'
import { setPlanArchived } from '../../plans/plan-lifecycle.js'
import { auditEntries, countRows } from '../../test-support/database-state.js'
import { fieldError, selectedOption, textOf } from '../../test-support/html.js'
import { cookieOfRole, followWithFlash, insertTestPlan } from '../../test-support/plan-scenes.js'
import { send } from '../../test-support/requests.js'
import { useTestApp } from '../../test-support/test-app.js'

// /settings/signup (issue 10 item 6): owners turn public signup on or off and choose the default
// plan for self-service signups, with step-up, audited; bad input changes nothing.

const t = useTestApp()

const save = (cookie: string, fields: Record<string, string>) =>
  send(t.app, 'POST', '/settings/signup', { fields, cookie })

describe('/settings/signup', () => {
  it('shows signup open on the first public plan before any owner chose', async () => {
    const { cookie } = await t.signedInOwner()

    const res = await send(t.app, 'GET', '/settings/signup', { cookie })

    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toMatch(/<input[^>]*name="publicSignup"[^>]*checked/)
    expect(selectedOption(html, 'defaultPlanId')).toBe('The first public plan (now Free)')
  })

  it('saves signup off and the default plan, audits both, and says so', async () => {
    const { owner, cookie } = await t.signedInOwner()
    const before = await getSignupSettings(t.db)

    const res = await save(cookie, { defaultPlanId: 'professional' })

    expect(res.status).toBe(303)
    const after = { publicSignup: false, defaultPlanId: 'professional' }
    expect(await getSignupSettings(t.db)).toEqual(after)
    expect((await auditEntries(t.db, 'settings.signup')).at(-1)).toMatchObject({
      actor_id: owner.admin.id,
      before,
      after,
    })
    const page = await followWithFlash(t.app, res, cookie)
    expect(page).toContain('public signup is off; new workspaces get the Professional plan')
    expect(selectedOption(page, 'defaultPlanId')).toBe('Professional')
    expect(page).not.toMatch(/<input[^>]*name="publicSignup"[^>]*checked/)
  })

  it('refuses an archived plan with a message at the select, changing nothing', async () => {
    const { cookie } = await t.signedInOwner()
    const archived = await insertTestPlan(t.db, { archived: true })
    const before = await getSignupSettings(t.db)
    const audit = await countRows(t.db, 'audit_log')

    const res = await save(cookie, { publicSignup: 'on', defaultPlanId: archived })

    expect(res.status).toBe(422)
    expect(fieldError(await res.text(), 'defaultPlanId')).toMatch(/archived or no longer exists/)
    expect(await getSignupSettings(t.db)).toEqual(before)
    expect(await countRows(t.db, 'audit_log')).toBe(audit)
  })

  it('answers 400 to a form without the plan field or with another checkbox value', async () => {
    const { cookie } = await t.signedInOwner()
    const before = await getSignupSettings(t.db)

    expect((await save(cookie, { publicSignup: 'on' })).status).toBe(400)
    expect((await save(cookie, { publicSignup: 'yes', defaultPlanId: '' })).status).toBe(400)
    expect(await getSignupSettings(t.db)).toEqual(before)
  })

  it('warns when the chosen default plan was archived since, naming the plan used instead', async () => {
    const { cookie } = await t.signedInOwner()
    const chosen = await insertTestPlan(t.db, { name: 'Launch special' })
    expect((await save(cookie, { publicSignup: 'on', defaultPlanId: chosen })).status).toBe(303)
    await setPlanArchived(t.db, { actor: null }, chosen, true)

    const html = await (await send(t.app, 'GET', '/settings/signup', { cookie })).text()

    expect(textOf(html, '#fallback-warning')).toMatch(
      /Launch special, is archived or deleted: self-service signups land on Free/,
    )
  })

  it('asks an owner whose code is over 10 minutes old to step up, saving nothing', async () => {
    const cookie = await cookieOfRole(
      t.db,
      t.config,
      'owner',
      new Date(t.clock.now() - 11 * 60_000),
    )
    const before = await getSignupSettings(t.db)

    const res = await send(t.app, 'POST', '/settings/signup', {
      fields: { defaultPlanId: '' },
      cookie,
      headers: { referer: 'http://localhost/settings/signup' },
    })

    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/step-up?next=%2Fsettings%2Fsignup')
    expect(await getSignupSettings(t.db)).toEqual(before)
  })

  it('refuses an admin with 403, saving nothing', async () => {
    const cookie = await cookieOfRole(t.db, t.config, 'admin', new Date(t.clock.now()))
    const before = await getSignupSettings(t.db)

    const res = await save(cookie, { defaultPlanId: '' })

    expect(res.status).toBe(403)
    expect(await getSignupSettings(t.db)).toEqual(before)
  })
})
