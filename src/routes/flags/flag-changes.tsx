import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { findTenantBySlug, isUuid } from '../../db/tenants.js'
import { listPlansCached } from '../../db/plans.js'
import type { FlagValue } from '../../db/schema.js'
import {
  editFlag,
  setFlagArchived,
  setFlagPlanValues,
  setFlagRollout,
  setTenantOverride,
  type VariantUse,
} from '../../flags/flag-changes.js'
import { parseFlagValue, parseVariants, valueLabel } from '../../flags/flag-rules.js'
import type { FlagFormName } from '../../views/flags/flag-page.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash, type Flash } from '../../web/flash.js'
import { parsedForm } from '../../web/form-body.js'
import { requirePermission } from '../../web/guards.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'
import { variantsError } from '../flags.js'
import { flagOr404, renderFlagPage } from './flag-page.js'

// Changes on the flag page (issue 9 item 3), each a ladder: permission → the flag → validate
// (422 next to the field, nothing written) → one domain verb → flash and back to the page.

export const flagChangeRoutes = new Hono<AppEnv>()
const edit = requirePermission('saas.flags.edit')

/** Back to the flag page's `section` with a flash saying what happened. */
async function done(c: Context<AppEnv>, key: string, flash: Flash, section: string) {
  await setFlash(c, flash)
  return redirectTo(c, `/flags/${key}#${section}`)
}

const nothingChanged = (key: string): Flash => ({
  kind: 'info',
  text: `Nothing changed: ${key} already had those settings.`,
})

function invalid(
  c: Context<AppEnv>,
  flag: Awaited<ReturnType<typeof flagOr404>>,
  name: FlagFormName,
  values: Record<string, string | string[]>,
  errors: Record<string, string>,
) {
  return renderFlagPage(
    c,
    flag,
    { name, values, errors },
    {
      why: '',
      value: '',
      q: '',
      plan: '',
      page: 1,
    },
  )
}

function inUseText(inUse: VariantUse[]): string {
  return `Still used, so it cannot be removed: ${inUse.map((u) => `${u.variant} (by ${u.usedBy.join(', ')})`).join('; ')}.`
}

flagChangeRoutes.post('/:key', edit, async (c) => {
  const flag = await flagOr404(c)
  const raw = await formFields(c)
  const values = {
    description: (raw.description ?? '').trim(),
    variants: raw.variants ?? flag.variants.join(', '),
    defaultValue: (raw.defaultValue ?? '').trim(),
  }
  const errors: Record<string, string> = {}
  if (values.description.length > 500) errors.description = 'Use at most 500 characters.'
  const variants = flag.type === 'string' ? parseVariants(values.variants) : []
  const variantsMessage = flag.type === 'string' ? variantsError(variants) : undefined
  if (variantsMessage) errors.variants = variantsMessage
  const defaultValue = parseFlagValue({ type: flag.type, variants }, values.defaultValue)
  if (defaultValue === undefined && !variantsMessage)
    errors.defaultValue =
      flag.type === 'boolean'
        ? 'Choose on or off.'
        : `Enter one of the variants: ${variants.join(', ')}.`
  if (Object.keys(errors).length > 0 || defaultValue === undefined)
    return invalid(c, flag, 'definition', values, errors)
  const result = await editFlag(
    c.var.db,
    auditContext(c),
    flag.key,
    { description: values.description, defaultValue, variants },
    c.var.now(),
  )
  if (!result.ok && result.reason === 'variant_in_use' && 'inUse' in result)
    return invalid(c, flag, 'definition', values, { variants: inUseText(result.inUse) })
  if (!result.ok && result.reason === 'unchanged')
    return done(c, flag.key, nothingChanged(flag.key), 'definition')
  if (!result.ok)
    return invalid(c, flag, 'definition', values, { variants: 'These values cannot be used.' })
  return done(c, flag.key, { kind: 'success', text: `Flag ${flag.key} saved.` }, 'definition')
})

flagChangeRoutes.post('/:key/plan-values', edit, async (c) => {
  const flag = await flagOr404(c)
  const raw = await formFields(c)
  const plans = await listPlansCached(c.var.db)
  const values: Record<string, string> = {}
  const chosen: Record<string, FlagValue> = {}
  const errors: Record<string, string> = {}
  for (const plan of plans) {
    const field = `plan-${plan.id}`
    const text = (values[field] = raw[field] ?? '')
    if (text === '') continue
    const value = parseFlagValue(flag, text)
    if (value === undefined) errors[field] = 'Choose one of the values, or no plan value.'
    else chosen[plan.id] = value
  }
  if (Object.keys(errors).length > 0) return invalid(c, flag, 'plans', values, errors)
  const ids = plans.map((p) => p.id)
  const result = await setFlagPlanValues(
    c.var.db,
    auditContext(c),
    flag.key,
    chosen,
    ids,
    c.var.now(),
  )
  if (!result.ok && result.reason === 'unchanged')
    return done(c, flag.key, nothingChanged(flag.key), 'plan-values')
  if (!result.ok)
    return invalid(c, flag, 'plans', values, { plans: 'These plan values cannot be used.' })
  const summary = plans
    .filter((p) => chosen[p.id] !== undefined)
    .map((p) => `${p.name} ${valueLabel(chosen[p.id])}`)
  const text = `Plan values of ${flag.key} saved: ${summary.length > 0 ? summary.join(', ') : 'none'}.`
  return done(c, flag.key, { kind: 'success', text }, 'plan-values')
})

/** Every `planIds` value of the form (checkboxes repeat the name). */
function checkedPlanIds(c: Context<AppEnv>): string[] {
  const form = parsedForm(c)
  if (!form) return []
  return form.getAll('planIds').filter((v): v is string => typeof v === 'string' && v !== '')
}

flagChangeRoutes.post('/:key/rollout', edit, async (c) => {
  const flag = await flagOr404(c)
  const raw = await formFields(c)
  const plans = await listPlansCached(c.var.db)
  const planIds = checkedPlanIds(c)
  const values = { percentage: (raw.percentage ?? '').trim(), value: raw.value ?? '', planIds }
  const errors: Record<string, string> = {}
  const percentage = /^\d{1,3}$/.test(values.percentage) ? Number(values.percentage) : NaN
  if (!(percentage >= 0 && percentage <= 100))
    errors.percentage = 'Enter a whole number from 0 to 100.'
  if (planIds.some((id) => !plans.some((p) => p.id === id)))
    errors.planIds = 'Choose among the listed plans.'
  const value = parseFlagValue(flag, values.value)
  if (value === undefined) errors.value = 'Choose one of the values.'
  if (Object.keys(errors).length > 0 || value === undefined)
    return invalid(c, flag, 'rollout', values, errors)
  const result = await setFlagRollout(
    c.var.db,
    auditContext(c),
    flag.key,
    { percentage, planIds, value },
    plans.map((p) => p.id),
    c.var.now(),
  )
  if (!result.ok && result.reason === 'unchanged')
    return done(c, flag.key, nothingChanged(flag.key), 'rollout')
  if (!result.ok)
    return invalid(c, flag, 'rollout', values, { percentage: 'This rollout cannot be used.' })
  const who =
    planIds.length === 0
      ? 'every plan'
      : plans
          .filter((p) => planIds.includes(p.id))
          .map((p) => p.name)
          .join(', ')
  const text = `Rollout of ${flag.key} saved: ${percentage} % of ${who} get ${valueLabel(value)}.`
  return done(c, flag.key, { kind: 'success', text }, 'rollout')
})

async function archive(c: Context<AppEnv>, archived: boolean) {
  const flag = await flagOr404(c)
  const result = await setFlagArchived(c.var.db, auditContext(c), flag.key, archived, c.var.now())
  const verb = archived ? 'archived' : 'unarchived'
  if (!result.ok)
    return done(
      c,
      flag.key,
      { kind: 'info', text: `Flag ${flag.key} was already ${verb}.` },
      'archive',
    )
  const text = archived
    ? `Flag ${flag.key} archived: every tenant now gets its default, ${valueLabel(flag.defaultValue)}.`
    : `Flag ${flag.key} unarchived: its overrides, rollout and plan values apply again.`
  return done(c, flag.key, { kind: 'success', text }, 'archive')
}

flagChangeRoutes.post('/:key/archive', edit, (c) => archive(c, true))
flagChangeRoutes.delete('/:key/archive', edit, (c) => archive(c, false))

flagChangeRoutes.post('/:key/overrides', edit, async (c) => {
  const flag = await flagOr404(c)
  const raw = await formFields(c)
  const values = { tenant: (raw.tenant ?? '').trim().toLowerCase(), value: raw.value ?? '' }
  const errors: Record<string, string> = {}
  const tenant = values.tenant ? await findTenantBySlug(c.var.db, values.tenant) : undefined
  if (!tenant || tenant.status === 'deleted')
    errors.tenant = values.tenant
      ? `No tenant with the slug ${values.tenant}.`
      : 'Enter a tenant slug.'
  const value = parseFlagValue(flag, values.value)
  if (value === undefined) errors.value = 'Choose one of the values.'
  if (flag.archived) errors.tenant = 'An archived flag cannot be overridden; unarchive it first.'
  if (Object.keys(errors).length > 0 || !tenant || value === undefined)
    return invalid(c, flag, 'override', values, errors)
  const result = await setTenantOverride(
    c.var.db,
    auditContext(c),
    flag.key,
    tenant.id,
    value,
    c.var.now(),
  )
  if (!result.ok && result.reason === 'unchanged')
    return done(c, flag.key, nothingChanged(flag.key), 'overrides')
  if (!result.ok && result.reason === 'flag_archived')
    return invalid(c, flag, 'override', values, {
      tenant: 'An archived flag cannot be overridden; unarchive it first.',
    })
  if (!result.ok)
    return invalid(c, flag, 'override', values, { tenant: 'This override cannot be set.' })
  const text = `Override set: ${flag.key} is ${valueLabel(value)} for ${tenant.slug}.`
  return done(c, flag.key, { kind: 'success', text }, 'overrides')
})

flagChangeRoutes.delete('/:key/overrides/:tenantId', edit, async (c) => {
  const flag = await flagOr404(c)
  const tenantId = c.req.param('tenantId')
  const missing = () =>
    new HTTPException(404, { message: 'No such override; nothing was changed.' })
  if (!isUuid(tenantId)) throw missing()
  const result = await setTenantOverride(
    c.var.db,
    auditContext(c),
    flag.key,
    tenantId,
    null,
    c.var.now(),
  )
  if (!result.ok && result.reason === 'flag_archived')
    return done(
      c,
      flag.key,
      {
        kind: 'error',
        text: `Flag ${flag.key} is archived: its overrides are kept until it is unarchived.`,
      },
      'overrides',
    )
  if (!result.ok) throw missing()
  return done(
    c,
    flag.key,
    { kind: 'success', text: `Override of ${flag.key} removed.` },
    'overrides',
  )
})
