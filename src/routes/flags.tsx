import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { countOverridesByFlag } from '../db/flag-tenants.js'
import { listFlags } from '../db/flags.js'
import { listPlansCached } from '../db/plans.js'
import type { FlagType } from '../db/schema.js'
import { createFlag } from '../flags/flag-changes.js'
import {
  FLAG_KEY_PATTERN,
  invalidVariants,
  MAX_VARIANTS,
  parseFlagValue,
  parseVariants,
} from '../flags/flag-rules.js'
import { FLAG_STATES, FlagsPage, FlagTable, type FlagState } from '../views/flags/flags-page.js'
import {
  EMPTY_NEW_FLAG,
  NewFlagForm,
  NewFlagPage,
  type NewFlagErrors,
  type NewFlagValues,
} from '../views/flags/new-flag-page.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { requirePermission } from '../web/guards.js'
import { pageOrFragment } from '../web/render.js'
import { auditContext, formFields, redirectTo } from '../web/request.js'
import { flagPageRoutes } from './flags/flag-page.js'

// /flags (issue 9 item 3): every role reads flags; creating and changing one needs
// saas.flags.edit (owner, admin). The flag's own page and its changes are in ./flags/.

const listQuery = z.object({ state: z.enum(FLAG_STATES).catch('active') })

export const flagRoutes = new Hono<AppEnv>()

flagRoutes.get('/', requirePermission('saas.tenants.view'), async (c) => {
  const { state } = listQuery.parse(c.req.query())
  const db = c.var.db
  const [flags, overrideCounts, plans] = await Promise.all([
    listFlags(db, { includeArchived: state !== 'active' }),
    countOverridesByFlag(db),
    listPlansCached(db),
  ])
  const props = {
    operator: c.var.operator,
    flags: state === 'archived' ? flags.filter((f) => f.archived) : flags,
    overrideCounts,
    plans,
    state: state as FlagState,
  }
  return pageOrFragment(
    c,
    () => <FlagTable {...props} />,
    () => <FlagsPage {...props} />,
    { title: 'Feature flags' },
  )
})

flagRoutes.get('/new', requirePermission('saas.flags.edit'), (c) =>
  c.render(<NewFlagPage values={EMPTY_NEW_FLAG} errors={{}} />, { title: 'New feature flag' }),
)

/** The create form's fields as typed, and the messages for those that cannot be used. */
function checkNewFlag(raw: Record<string, string>) {
  const values: NewFlagValues = {
    key: (raw.key ?? '').trim(),
    description: (raw.description ?? '').trim(),
    type: raw.type ?? '',
    variants: raw.variants ?? '',
    defaultValue: (raw.defaultValue ?? '').trim(),
  }
  const errors: NewFlagErrors = {}
  if (!FLAG_KEY_PATTERN.test(values.key))
    errors.key = 'Use 2–63 lowercase letters, digits or dashes, starting with a letter.'
  if (values.description.length > 500) errors.description = 'Use at most 500 characters.'
  const type: FlagType | undefined =
    values.type === 'boolean' || values.type === 'string' ? values.type : undefined
  if (!type) errors.type = 'Choose boolean or string.'
  const variants = type === 'string' ? parseVariants(values.variants) : []
  if (type === 'boolean' && values.variants.trim())
    errors.variants = 'A boolean flag has no variants; leave this empty or choose string.'
  if (type === 'string') errors.variants = variantsError(variants)
  const defaultValue = type ? parseFlagValue({ type, variants }, values.defaultValue) : undefined
  if (type && defaultValue === undefined && !errors.variants)
    errors.defaultValue =
      type === 'boolean' ? 'Enter on or off.' : `Enter one of the variants: ${variants.join(', ')}.`
  for (const k of Object.keys(errors) as (keyof NewFlagErrors)[]) if (!errors[k]) delete errors[k]
  if (Object.keys(errors).length > 0 || !type || defaultValue === undefined)
    return { ok: false as const, values, errors }
  return {
    ok: true as const,
    values,
    flag: { key: values.key, description: values.description, type, variants, defaultValue },
  }
}

/** The message for a string flag's variants, or undefined when they are fine. */
export function variantsError(variants: string[]): string | undefined {
  if (variants.length === 0) return 'A string flag needs at least one variant.'
  if (variants.length > MAX_VARIANTS) return `Use at most ${MAX_VARIANTS} variants.`
  const bad = invalidVariants(variants)
  if (bad.length > 0)
    return `Not a valid variant: ${bad.join(', ')}. Use lowercase letters, digits, _ or -, starting with a letter or digit (at most 63).`
  return undefined
}

function newFlagInvalid(c: Context<AppEnv>, values: NewFlagValues, errors: NewFlagErrors) {
  return pageOrFragment(
    c,
    () => <NewFlagForm values={values} errors={errors} />,
    () => <NewFlagPage values={values} errors={errors} />,
    { title: 'New feature flag' },
    422,
  )
}

flagRoutes.post('/', requirePermission('saas.flags.edit'), async (c) => {
  const checked = checkNewFlag(await formFields(c))
  if (!checked.ok) return newFlagInvalid(c, checked.values, checked.errors)
  const result = await createFlag(c.var.db, auditContext(c), checked.flag, c.var.now())
  if (!result.ok && result.reason === 'key_taken')
    return newFlagInvalid(c, checked.values, {
      key: `A flag with the key ${checked.flag.key} exists already (archived flags keep theirs).`,
    })
  if (!result.ok) return newFlagInvalid(c, checked.values, { key: 'This flag cannot be created.' })
  await setFlash(c, { kind: 'success', text: `Flag ${checked.flag.key} created.` })
  return redirectTo(c, `/flags/${checked.flag.key}`)
})

flagRoutes.route('/', flagPageRoutes)
