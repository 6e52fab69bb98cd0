import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { findTenantRefs, type TenantRef } from '../db/tenant-refs.js'
import { ALL_TENANTS } from '../db/tenant-scope.js'
import { listTenants } from '../db/tenants.js'
import { ScopePicker, ScopePickerPage } from '../views/scope/scope-picker.js'
import { pickerUrl } from '../views/scope/scope-bar.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { requirePermission, safeNextPath } from '../web/guards.js'
import { pageOrFragment } from '../web/render.js'
import { formFields, redirectTo } from '../web/request.js'
import { SCOPE_MODES, setScope } from '../web/scope.js'

/** How many customers the picker lists at once; a search narrows the rest. */
const PICKER_SIZE = 25

const scopeForm = z.object({
  mode: z.enum(SCOPE_MODES, { error: 'Choose all customers or one customer.' }),
  tenant: z.string().trim().max(100).optional(),
  next: z.string().optional(),
})

const pickerQuery = z.object({
  q: z.string().trim().max(100).catch(''),
  next: z.string().max(2000).catch(''),
})

/** A local page to come back to; never the picker itself, never another site (safeNextPath). */
function backTo(next: string | undefined): string {
  const path = safeNextPath(next, '/tenants')
  return path.startsWith('/scope') ? '/tenants' : path
}

export const scopeRoutes = new Hono<AppEnv>()

/**
 * Sets the scope: `mode=all`, or `mode=customer` with `tenant` (an id). Without `tenant`, the
 * admin-mode toggle narrows to the most recently viewed customer, or opens the picker.
 */
scopeRoutes.post('/', requirePermission('saas.tenants.view'), async (c) => {
  const parsed = scopeForm.safeParse(await formFields(c))
  if (!parsed.success) throw new HTTPException(400, { message: parsed.error.issues[0].message })
  const next = backTo(parsed.data.next)
  if (parsed.data.mode === 'all') {
    await setScope(c)
    await setFlash(c, { kind: 'success', text: 'Admin mode: showing all customers.' })
    return redirectTo(c, next)
  }
  const tenant = await customerToScope(c.var.db, parsed.data.tenant, c.var.scope.recent)
  if (tenant === 'choose') {
    await setFlash(c, { kind: 'info', text: 'Choose the customer to narrow the console to.' })
    return redirectTo(c, pickerUrl(next))
  }
  if (!tenant) throw new HTTPException(404, { message: 'No such customer (or it was deleted).' })
  await setScope(c, tenant)
  await setFlash(c, { kind: 'success', text: `Scoped to ${tenant.name} (${tenant.slug}).` })
  return redirectTo(c, next)
})

/**
 * The customer a `customer` scope names: the one asked for when given (undefined when it is not
 * a live tenant), else the first live one of the recently viewed, else `choose`.
 */
async function customerToScope(
  db: AppEnv['Variables']['db'],
  asked: string | undefined,
  recent: string[],
): Promise<TenantRef | 'choose' | undefined> {
  const live = (await findTenantRefs(db, asked ? [asked] : recent)).find(
    (t) => t.status !== 'deleted',
  )
  if (live) return { id: live.id, slug: live.slug, name: live.name }
  return asked ? undefined : 'choose'
}

/** The picker: a fragment the top bar opens in place, or a page of its own without JavaScript. */
scopeRoutes.get('/picker', requirePermission('saas.tenants.view'), async (c) => {
  const query = pickerQuery.parse(c.req.query())
  const scope = c.var.scope
  // The same search as /tenants (slug or name, deleted tenants left out), by name.
  const [listed, recentRefs] = await Promise.all([
    listTenants(c.var.db, ALL_TENANTS, {
      q: query.q,
      sort: 'name',
      dir: 'asc',
      perPage: PICKER_SIZE,
    }),
    query.q ? Promise.resolve([]) : findTenantRefs(c.var.db, scope.recent),
  ])
  const named = (t: TenantRef): TenantRef => ({ id: t.id, slug: t.slug, name: t.name })
  // Searching: the recently viewed among the matches come first, most recent first.
  const recent = query.q
    ? scope.recent.flatMap((id) => listed.items.filter((t) => t.id === id)).map(named)
    : recentRefs.filter((t) => t.status !== 'deleted').map(named)
  const recentIds = new Set(recent.map((t) => t.id))
  const props = {
    currentId: scope.tenant?.id,
    next: backTo(query.next),
    q: query.q,
    recent,
    others: listed.items.filter((t) => !recentIds.has(t.id)).map(named),
    total: listed.total,
  }
  return pageOrFragment(
    c,
    () => <ScopePicker {...props} />,
    () => <ScopePickerPage {...props} page />,
    { title: 'Choose a customer' },
  )
})
