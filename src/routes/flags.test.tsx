import { beforeAll, describe, expect, it } from 'vitest'
import { createSession } from '../auth/session.js'
import { findFlagByKey } from '../db/flags.js'
import type { OperatorRole } from '../db/schema.js'
import { auditEntries, countRows } from '../test-support/database-state.js'
import { createFlag, createSuperAdmin, uniqueSuffix } from '../test-support/factories.js'
import { fieldError, parseHtml, tableRows, textOf } from '../test-support/html.js'
import { cookieFrom, getPage, postForm, SESSION_COOKIE } from '../test-support/requests.js'
import { useTestApp } from '../test-support/test-app.js'

const t = useTestApp()
let cookie: string

beforeAll(async () => {
  ;({ cookie } = await t.signedInOwner())
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

const flagCount = async () =>
  Number(
    (
      await t.db
        .selectFrom('feature_flags')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

const key = () => `beta-${uniqueSuffix()}`

describe('creating a flag', () => {
  it('creates a boolean flag from the form, audits it and shows its page with a flash', async () => {
    const k = key()
    const res = await postForm(
      t.app,
      '/flags',
      {
        key: k,
        description: 'Drawings for early customers',
        type: 'boolean',
        variants: '',
        defaultValue: 'off',
      },
      cookie,
    )
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/flags/${k}`)
    const flag = await findFlagByKey(t.db, k)
    expect(flag).toMatchObject({
      type: 'boolean',
      defaultValue: false,
      variants: [],
      rolloutPercentage: 0,
      description: 'Drawings for early customers',
    })
    const [entry] = (await auditEntries(t.db, 'flag.create')).filter((e) => e.target_id === k)
    expect(entry.after).toMatchObject({ key: k, type: 'boolean', defaultValue: false })
    const page = await getPage(
      t.app,
      `/flags/${k}`,
      `${cookie}; ${cookieFrom(res, 'fleetdeck_flash')}`,
    )
    const html = await page.text()
    expect(textOf(html, 'h1')).toBe(k)
    expect(html).toContain(`Flag ${k} created.`)
  })

  it('creates a string flag with its variants and a default among them', async () => {
    const k = key()
    const res = await postForm(
      t.app,
      '/flags',
      {
        key: k,
        description: '',
        type: 'string',
        variants: 'compact, wide\nfull_width',
        defaultValue: 'wide',
      },
      cookie,
    )
    expect(res.status).toBe(303)
    expect(await findFlagByKey(t.db, k)).toMatchObject({
      type: 'string',
      variants: ['compact', 'wide', 'full_width'],
      defaultValue: 'wide',
    })
  })

  it('refuses a bad key with 422 next to the field and writes nothing', async () => {
    const [flags, audit] = [await flagCount(), await countRows(t.db, 'audit_log')]
    const res = await postForm(
      t.app,
      '/flags',
      { key: 'Drawings Beta', type: 'boolean', defaultValue: 'off' },
      cookie,
    )
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(fieldError(html, 'key')).toBe(
      'Use 2–63 lowercase letters, digits or dashes, starting with a letter.',
    )
    expect(parseHtml(html).querySelector('[name="key"]')?.getAttribute('value')).toBe(
      'Drawings Beta',
    )
    expect([await flagCount(), await countRows(t.db, 'audit_log')]).toEqual([flags, audit])
  })

  it('refuses a duplicate key with 422 and leaves the first flag as it was', async () => {
    const first = await createFlag(t.db, { description: 'first' })
    const flags = await flagCount()
    const res = await postForm(
      t.app,
      '/flags',
      { key: first.key, description: 'second', type: 'boolean', defaultValue: 'on' },
      cookie,
    )
    expect(res.status).toBe(422)
    expect(fieldError(await res.text(), 'key')).toContain('exists already')
    expect(await flagCount()).toBe(flags)
    expect((await findFlagByKey(t.db, first.key))?.description).toBe('first')
  })

  it('refuses a string flag without variants, bad variants and a default outside them', async () => {
    const flags = await flagCount()
    const none = await postForm(
      t.app,
      '/flags',
      { key: key(), type: 'string', variants: ' , ', defaultValue: 'a' },
      cookie,
    )
    expect(none.status).toBe(422)
    expect(fieldError(await none.text(), 'variants')).toBe(
      'A string flag needs at least one variant.',
    )
    const bad = await postForm(
      t.app,
      '/flags',
      { key: key(), type: 'string', variants: 'ok, Not OK', defaultValue: 'ok' },
      cookie,
    )
    expect(bad.status).toBe(422)
    expect(fieldError(await bad.text(), 'variants')).toContain('Not a valid variant: Not OK')
    const outside = await postForm(
      t.app,
      '/flags',
      { key: key(), type: 'string', variants: 'a, b', defaultValue: 'c' },
      cookie,
    )
    expect(outside.status).toBe(422)
    expect(fieldError(await outside.text(), 'defaultValue')).toBe(
      'Enter one of the variants: a, b.',
    )
    const boolWithVariants = await postForm(
      t.app,
      '/flags',
      { key: key(), type: 'boolean', variants: 'a', defaultValue: 'on' },
      cookie,
    )
    expect(boolWithVariants.status).toBe(422)
    expect(fieldError(await boolWithVariants.text(), 'variants')).toContain('no variants')
    expect(await flagCount()).toBe(flags)
  })

  it('refuses a viewer, support and an operator (403) and writes nothing', async () => {
    const flags = await flagCount()
    for (const role of ['viewer', 'support', 'operator'] as const) {
      const res = await postForm(
        t.app,
        '/flags',
        { key: key(), type: 'boolean', defaultValue: 'on' },
        await cookieOf(role),
      )
      expect(res.status, role).toBe(403)
    }
    expect(await flagCount()).toBe(flags)
  })
})

describe('the flags list', () => {
  it('lists active flags with their rules and override counts, and archived ones on request', async () => {
    const active = await createFlag(t.db, {
      description: 'listed',
      rolloutPercentage: 10,
      rolloutValue: true,
      rolloutPlanIds: ['professional'],
      planValues: { enterprise: true },
    })
    const archived = await createFlag(t.db, { archived: true })
    const html = await (await getPage(t.app, '/flags', cookie)).text()
    const rows = tableRows(html)
    const row = rows.find((r) => r.Key === active.key)!
    expect(row).toMatchObject({
      Description: 'listed',
      Type: 'boolean',
      Default: 'Off',
      Rollout: '10 % of Professional → On',
      'Plan values': 'Enterprise: On',
      Overrides: '0',
      Archived: 'No',
    })
    expect(rows.some((r) => r.Key === archived.key)).toBe(false)
    const onlyArchived = tableRows(
      await (await getPage(t.app, '/flags?state=archived', cookie)).text(),
    )
    expect(onlyArchived.map((r) => r.Key)).toContain(archived.key)
    expect(onlyArchived.map((r) => r.Key)).not.toContain(active.key)
  })

  it('shows a viewer the flags without New flag', async () => {
    const html = await (await getPage(t.app, '/flags', await cookieOf('viewer'))).text()
    expect(textOf(html, 'h1')).toBe('Feature flags')
    expect(html).not.toContain('New flag')
  })
})
