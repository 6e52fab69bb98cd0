import { roleCan } from '../auth/permissions.js'
import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { countPendingJoinRequests, listJoinRequests } from '../db/join-requests.js'
import { findTenantBySlug, isUuid } from '../db/tenants.js'
import {
  approveJoinRequests,
  denyJoinRequests,
  type BlockedRequest,
  type DecisionResult,
} from '../people/join-requests.js'
import { ROLES, type DecisionForm } from '../views/join-requests/decision-controls.js'
import {
  JoinRequestList,
  JoinRequestsPage,
  type JoinRequestListQuery,
} from '../views/join-requests/join-requests-page.js'
import { AnnounceOob } from '../views/tenants/tenants-page.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { parsedForm } from '../web/form-body.js'
import { requirePermission, safeNextPath } from '../web/guards.js'
import { pageOrFragment } from '../web/render.js'
import { auditContext, formFields, isHtmx, redirectTo } from '../web/request.js'

const PER_PAGE = 50
/** More than a page of checkboxes is not something a person sends. */
const MAX_IDS = 200
const NO_TENANT = '00000000-0000-0000-0000-000000000000'

const listQuery = z.object({
  tenant: z.string().trim().max(100).catch(''),
  status: z.enum(['pending', 'approved', 'denied', '']).catch(''),
  age: z.enum(['', '1', '7', '30']).catch(''),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
})

const decisionForm = z.object({
  role: z.enum(ROLES, { error: 'Choose member, admin or owner.' }),
  reason: z.string().trim().max(500, { error: 'Use at most 500 characters.' }),
})

export const joinRequestRoutes = new Hono<AppEnv>()

/** The tenant filter takes an id (links from a tenant page) or a slug (typed by a person). */
async function tenantFilter(c: Context<AppEnv>, tenant: string): Promise<string | undefined> {
  if (!tenant) return undefined
  if (isUuid(tenant)) return tenant
  return (await findTenantBySlug(c.var.db, tenant.toLowerCase()))?.id ?? NO_TENANT
}

/** The list for `query`, as the page or (under htmx) the fragment; `form` shows a 422. */
async function renderList(
  c: Context<AppEnv>,
  query: JoinRequestListQuery,
  extra: { form?: DecisionForm; announce?: string; status?: 200 | 422 } = {},
) {
  const db = c.var.db
  const scope = c.var.scope.filter
  const [{ items, total, capped }, pending] = await Promise.all([
    listJoinRequests(db, scope, {
      tenantId: await tenantFilter(c, query.tenant),
      status: query.status || undefined,
      olderThanDays: query.age ? Number(query.age) : undefined,
      now: c.var.now(),
      page: query.page,
      perPage: PER_PAGE,
    }),
    countPendingJoinRequests(db, scope),
  ])
  const props = {
    operator: c.var.operator,
    items,
    total,
    capped,
    pending,
    perPage: PER_PAGE,
    query,
    now: c.var.now(),
    form: extra.form,
    notice: extra.announce,
    // Scoped to one customer, every row is theirs: no tenant column, no tenant filter.
    showTenant: c.var.scope.mode === 'all',
  }
  return pageOrFragment(
    c,
    () => (
      <>
        <JoinRequestList {...props} />
        {extra.announce && <AnnounceOob text={extra.announce} />}
      </>
    ),
    () => <JoinRequestsPage {...props} />,
    { title: 'Join requests' },
    extra.status ?? 200,
  )
}

joinRequestRoutes.get('/', requirePermission('saas.users.view'), (c) =>
  renderList(c, listQuery.parse(c.req.query())),
)

/** The list address a decision form came from, and its query; the list itself otherwise. */
function backTo(raw: string | undefined): { url: string; query: JoinRequestListQuery } {
  const path = safeNextPath(raw, '/join-requests')
  const url =
    path === '/join-requests' || path.startsWith('/join-requests?') ? path : '/join-requests'
  const params = Object.fromEntries(new URL(url, 'http://local.invalid').searchParams)
  return { url, query: listQuery.parse(params) }
}

/** Every `ids` value of the form (checkboxes repeat the name). */
function submittedIds(c: Context<AppEnv>): string[] {
  const form = parsedForm(c)
  if (!form) return []
  return form.getAll('ids').filter((v): v is string => typeof v === 'string' && v !== '')
}

/** The operator's words for a refusal; nothing was changed. */
function refusalText(verb: 'approved' | 'denied', result: Exclude<DecisionResult, { ok: true }>) {
  const who = (b: BlockedRequest[]) => b.map((r) => `${r.email} (${r.tenantSlug}: ${r.detail})`)
  if (result.reason === 'tenant_unavailable' && 'blocked' in result)
    return `Nothing was ${verb}: a request for a tenant that is not active cannot be approved — ${who(result.blocked).join(', ')}.`
  if (result.reason === 'already_decided' && 'blocked' in result)
    return `Nothing was ${verb}: already decided — ${who(result.blocked).join(', ') || 'by someone else just now'}.`
  return `Nothing was ${verb}.`
}

/** Approve (POST /approval) or deny (POST /denial) the submitted requests; a ladder of returns. */
async function decide(c: Context<AppEnv>, verb: 'approved' | 'denied') {
  const raw = await formFields(c)
  const ids = submittedIds(c)
  const back = backTo(raw.back)
  if (ids.some((id) => !isUuid(id)))
    throw new HTTPException(400, { message: 'Malformed request id; nothing was changed.' })
  const parsed = decisionForm.safeParse({ role: raw.role ?? 'member', reason: raw.reason ?? '' })
  const errors: DecisionForm['errors'] = {}
  if (ids.length === 0) errors.ids = 'Select at least one request.'
  if (ids.length > MAX_IDS) errors.ids = `Select at most ${MAX_IDS} requests at once.`
  if (!parsed.success)
    for (const i of parsed.error.issues) errors[i.path[0] as 'role'] ??= i.message
  if (verb === 'denied' && parsed.success && !parsed.data.reason)
    errors.reason = 'Give a reason for the denial.'
  // Deciding a request is not editing roles: without saas.users.edit (operators) a request is
  // approved as a member only, or an operator could make an owner they could not make on /users.
  if (
    verb === 'approved' &&
    parsed.success &&
    parsed.data.role !== 'member' &&
    !roleCan(c.var.operator.role, 'saas.users.edit')
  )
    throw new HTTPException(403, { message: 'Your role may approve requests as member only.' })
  const form = { ids, role: raw.role ?? '', reason: raw.reason ?? '', rowId: raw.row, errors }
  if (Object.keys(errors).length > 0 || !parsed.success)
    return renderList(c, back.query, { form, status: 422 })
  const result =
    verb === 'approved'
      ? await approveJoinRequests(c.var.db, auditContext(c), ids, parsed.data.role, c.var.now())
      : await denyJoinRequests(c.var.db, auditContext(c), ids, parsed.data.reason, c.var.now())
  if (!result.ok && result.reason === 'not_found')
    throw new HTTPException(404, { message: 'No such join request; nothing was changed.' })
  if (!result.ok) throw new HTTPException(409, { message: refusalText(verb, result) })
  const n = result.decided.length
  const text = `${n} request${n === 1 ? '' : 's'} ${verb}${verb === 'approved' ? ` as ${parsed.data.role}` : ''}.`
  if (isHtmx(c)) return renderList(c, back.query, { announce: text })
  await setFlash(c, { kind: 'success', text })
  return redirectTo(c, back.url)
}

joinRequestRoutes.post('/approval', requirePermission('saas.join_requests.decide'), (c) =>
  decide(c, 'approved'),
)
joinRequestRoutes.post('/denial', requirePermission('saas.join_requests.decide'), (c) =>
  decide(c, 'denied'),
)
