import { describe, expect, it } from 'vitest'
import { findFlagByKey } from '../db/flags.js'
import { auditEntries } from '../test-support/database-state.js'
import { createFlag as insertFlag, uniqueSuffix } from '../test-support/factories.js'
import { useTestDatabase } from '../test-support/test-app.js'
import {
  createFlag,
  editFlag,
  setFlagArchived,
  setFlagPlanValues,
  setFlagRollout,
  setTenantOverride,
} from './flag-changes.js'

const t = useTestDatabase()
const context = { actor: null, requestId: 'req-flag-changes' }
const now = () => new Date()
const PLANS = ['free', 'professional', 'enterprise']
const key = () => `verb-${uniqueSuffix()}`
const audited = async (action: string, k: string) =>
  (await auditEntries(t.db, action)).filter((e) => e.target_id === k)

describe('createFlag', () => {
  it('refuses what the form would refuse, for callers without a form', async () => {
    const base = { description: '', type: 'boolean' as const, variants: [], defaultValue: false }
    expect(await createFlag(t.db, context, { ...base, key: 'X' }, now())).toEqual({
      ok: false,
      reason: 'invalid_key',
    })
    expect(
      await createFlag(t.db, context, { ...base, key: key(), variants: ['a'] }, now()),
    ).toMatchObject({ reason: 'invalid_variants' })
    expect(
      await createFlag(
        t.db,
        context,
        { ...base, key: key(), type: 'string', variants: ['a', 'a'], defaultValue: 'a' },
        now(),
      ),
    ).toMatchObject({ reason: 'invalid_variants' })
    expect(
      await createFlag(
        t.db,
        context,
        { ...base, key: key(), type: 'string', variants: ['a'], defaultValue: 'b' },
        now(),
      ),
    ).toMatchObject({ reason: 'invalid_default' })
    const k = key()
    expect((await createFlag(t.db, context, { ...base, key: k }, now())).ok).toBe(true)
    expect(await createFlag(t.db, context, { ...base, key: k }, now())).toMatchObject({
      reason: 'key_taken',
    })
    expect(await audited('flag.create', k)).toHaveLength(1)
  })
})

describe('setFlagRollout', () => {
  it('refuses a percentage outside 0–100 or not whole, an unknown plan and a foreign value', async () => {
    const flag = await insertFlag(t.db)
    for (const percentage of [-1, 101, 12.5, Number.NaN])
      expect(
        await setFlagRollout(
          t.db,
          context,
          flag.key,
          { percentage, planIds: [], value: true },
          PLANS,
          now(),
        ),
      ).toMatchObject({ reason: 'invalid_percentage' })
    expect(
      await setFlagRollout(
        t.db,
        context,
        flag.key,
        { percentage: 5, planIds: ['gold'], value: true },
        PLANS,
        now(),
      ),
    ).toMatchObject({ reason: 'unknown_plan' })
    expect(
      await setFlagRollout(
        t.db,
        context,
        flag.key,
        { percentage: 5, planIds: [], value: 'yes' },
        PLANS,
        now(),
      ),
    ).toMatchObject({ reason: 'invalid_value' })
    expect((await findFlagByKey(t.db, flag.key))?.rolloutPercentage).toBe(0)
    expect(await audited('flag.rollout', flag.key)).toHaveLength(0)
  })

  it('accepts both bounds, and refuses a rollout that changes nothing', async () => {
    const flag = await insertFlag(t.db)
    for (const percentage of [100, 0])
      expect(
        (
          await setFlagRollout(
            t.db,
            context,
            flag.key,
            { percentage, planIds: [], value: true },
            PLANS,
            now(),
          )
        ).ok,
      ).toBe(true)
    expect(
      await setFlagRollout(
        t.db,
        context,
        flag.key,
        { percentage: 0, planIds: [], value: true },
        PLANS,
        now(),
      ),
    ).toMatchObject({ reason: 'unchanged' })
    expect(await audited('flag.rollout', flag.key)).toHaveLength(2)
  })
})

describe('editFlag', () => {
  it('lists every removed variant still in use with where it is used, and changes nothing', async () => {
    const flag = await insertFlag(t.db, {
      type: 'string',
      variants: ['a', 'b'],
      defaultValue: 'a',
      planValues: { free: 'b' },
      rolloutPercentage: 10,
      rolloutValue: 'b',
    })
    const result = await editFlag(
      t.db,
      context,
      flag.key,
      { description: '', defaultValue: 'a', variants: ['a'] },
      now(),
    )
    expect(result).toEqual({
      ok: false,
      reason: 'variant_in_use',
      inUse: [{ variant: 'b', usedBy: ['plan value', 'rollout'] }],
    })
    expect((await findFlagByKey(t.db, flag.key))?.variants).toEqual(['a', 'b'])
  })
})

describe('setFlagPlanValues and setFlagArchived', () => {
  it('refuse an unknown plan, a foreign value, and archiving twice', async () => {
    const flag = await insertFlag(t.db)
    expect(
      await setFlagPlanValues(t.db, context, flag.key, { gold: true }, PLANS, now()),
    ).toMatchObject({ reason: 'unknown_plan' })
    expect(
      await setFlagPlanValues(t.db, context, flag.key, { free: 'x' }, PLANS, now()),
    ).toMatchObject({ reason: 'invalid_value' })
    expect((await setFlagArchived(t.db, context, flag.key, true, now())).ok).toBe(true)
    expect(await setFlagArchived(t.db, context, flag.key, true, now())).toMatchObject({
      reason: 'unchanged',
    })
    expect(await audited('flag.archive', flag.key)).toHaveLength(1)
  })

  it('an archived flag cannot be overridden', async () => {
    const flag = await insertFlag(t.db, { archived: true })
    const tenant = await t.db
      .insertInto('tenants')
      .values({
        id: crypto.randomUUID(),
        slug: `arch-${uniqueSuffix()}`,
        name: 'Arch',
        status: 'active',
        plan_id: 'free',
        billing_email: 'b@example.com',
        first_admin_email: 'a@example.com',
        first_admin_name: 'A',
        created_at: new Date(),
        updated_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    expect(await setTenantOverride(t.db, context, flag.key, tenant.id, true, now())).toEqual({
      ok: false,
      reason: 'flag_archived',
    })
  })
})
