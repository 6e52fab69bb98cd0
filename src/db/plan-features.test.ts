import { describe, expect, it } from 'vitest'
import { createFlag } from '../test-support/factories.js'
import { useTestDatabase } from '../test-support/test-app.js'
import { findFlagByKey } from './flags.js'
import { replaceIncludedFeatures } from './plan-features.js'

const t = useTestDatabase()

describe('replaceIncludedFeatures', () => {
  it('includes the chosen flags and drops unchosen ones, but keeps an explicit off for the plan', async () => {
    const kept = await createFlag(t.db, { defaultValue: true, planValues: { free: false } })
    const dropped = await createFlag(t.db, { planValues: { free: true } })
    const chosen = await createFlag(t.db)

    await t.db.transaction().execute((trx) => replaceIncludedFeatures(trx, 'free', [chosen.id]))

    expect((await findFlagByKey(t.db, kept.key))!.planValues).toEqual({ free: false })
    expect((await findFlagByKey(t.db, dropped.key))!.planValues).toEqual({})
    expect((await findFlagByKey(t.db, chosen.key))!.planValues).toEqual({ free: true })
  })
})
