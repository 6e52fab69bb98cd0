import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { findFlagByKey, resolveTenantFlags } from '../../db/flags.js'
import { listPlansCached } from '../../db/plans.js'
import { findTenantById, type Tenant } from '../../db/tenants.js'
import { setTenantOverride } from '../../flags/flag-changes.js'
import { FLAG_KEY_PATTERN, parseFlagValue, valueLabel } from '../../flags/flag-rules.js'
import type { FlagValue } from '../../db/schema.js'
import { TenantFlags, type TenantFlagsProps } from '../../views/tenants/tenant-flags.js'
import { AnnounceOob } from '../../views/tenants/tenants-page.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash, type Flash } from '../../web/flash.js'
import { requirePermission } from '../../web/guards.js'
import { auditContext, formFields, isHtmx, redirectTo } from '../../web/request.js'
import { sendHtml } from '../../web/compression.js'
import { markupText } from '../../web/render.js'

// /tenants/:id/flags/:key (issue 9 item 3): the tenant page's flag toggle. POST sets the
// tenant's override of the flag to `value`, DELETE clears it; both go through the audited
// override verb. htmx gets the "Feature flags" section back; without JavaScript, the tenant page.

export const tenantFlagRoutes = new Hono<AppEnv>()

async function tenantOr404(c: Context<AppEnv>): Promise<Tenant> {
  const tenant = await findTenantById(c.var.db, c.req.param('id') ?? '')
  if (!tenant) throw new HTTPException(404, { message: 'No such tenant.' })
  return tenant
}

/** The tenant's flags as the section shows them: every flag that is not archived. */
export async function tenantFlagsOf(c: Context<AppEnv>, tenant: Tenant) {
  const [flags, plans] = await Promise.all([
    resolveTenantFlags(c.var.db, tenant),
    listPlansCached(c.var.db),
  ])
  return { flags: flags.filter((f) => !f.flag.archived), plans }
}

/** After a change or a refusal: the section under htmx, else the tenant page with a flash. */
async function respond(c: Context<AppEnv>, tenant: Tenant, notice: Flash, status: 200 | 422 = 200) {
  if (!isHtmx(c)) {
    await setFlash(c, notice)
    return redirectTo(c, `/tenants/${tenant.id}#tenant-flags`)
  }
  const props: TenantFlagsProps = {
    operator: c.var.operator,
    tenant,
    ...(await tenantFlagsOf(c, tenant)),
    notice,
  }
  const markup = (
    <>
      <TenantFlags {...props} />
      <AnnounceOob text={notice.text} />
    </>
  )
  return sendHtml(c, await markupText(markup), status)
}

const REFUSALS: Record<string, (key: string) => string> = {
  flag_archived: (key) => `Flag ${key} is archived: it cannot be overridden.`,
  invalid_value: (key) => `That is not a value of ${key}; nothing was changed.`,
  tenant_not_found: () => 'This tenant is deleted; nothing was changed.',
  unchanged: (key) => `Nothing changed: ${key} already had that override.`,
}

async function change(c: Context<AppEnv>, value: FlagValue | null) {
  const tenant = await tenantOr404(c)
  const key = c.req.param('key') ?? ''
  if (!FLAG_KEY_PATTERN.test(key))
    throw new HTTPException(404, { message: 'No such feature flag.' })
  const result = await setTenantOverride(
    c.var.db,
    auditContext(c),
    key,
    tenant.id,
    value,
    c.var.now(),
  )
  if (!result.ok && result.reason === 'flag_not_found')
    throw new HTTPException(404, { message: 'No such feature flag.' })
  if (!result.ok) {
    const kind = result.reason === 'unchanged' ? 'info' : 'error'
    return respond(
      c,
      tenant,
      { kind, text: REFUSALS[result.reason](key) },
      result.reason === 'unchanged' ? 200 : 422,
    )
  }
  const text =
    value === null
      ? `Override of ${key} cleared for ${tenant.slug}.`
      : `${key} is now ${valueLabel(value)} for ${tenant.slug} (override).`
  return respond(c, tenant, { kind: 'success', text })
}

tenantFlagRoutes.post('/:key', requirePermission('saas.flags.edit'), async (c) => {
  const key = c.req.param('key')
  const { value: raw = '' } = await formFields(c)
  const flag = FLAG_KEY_PATTERN.test(key) ? await findFlagByKey(c.var.db, key) : undefined
  if (!flag) throw new HTTPException(404, { message: 'No such feature flag.' })
  const value = parseFlagValue(flag, raw)
  if (value === undefined) {
    const text = `That is not a value of ${key}; nothing was changed.`
    return respond(c, await tenantOr404(c), { kind: 'error', text }, 422)
  }
  return change(c, value)
})

tenantFlagRoutes.delete('/:key', requirePermission('saas.flags.edit'), (c) => change(c, null))
