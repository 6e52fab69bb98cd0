import { Hono, type Context, type ErrorHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { findFlagByKey, findTenantOverrides, resolveTenantFlags } from '../db/flags.js'
import { findFlagSubjectTenant, type FlagSubjectTenant } from '../db/flag-subjects.js'
import { resolveFlag } from '../flags/resolve.js'
import { tenantRefOf, toOfrepSuccess, type OfrepErrorCode } from '../flags/ofrep.js'
import type { AppEnv } from '../web/env.js'
import { logError } from '../web/errors.js'
import type { KitEnv } from './auth.js'
import { KitRefusal } from './errors.js'
import { entityTag, matchesIfNoneMatch } from './http.js'

// OFREP 0.3.0 (open-feature/protocol service/openapi.yaml), mounted at /ofrep/v1 behind the
// app key: the evaluation context names a tenant, every flag resolves for that tenant.
// Statements per call, besides the app key's: one for the tenant, then three (bulk: flags,
// plan values, overrides) or three (one flag, its plan values, the tenant's overrides).

export const ofrepRoutes = new Hono<KitEnv>()

ofrepRoutes.post('/evaluate/flags/:key', async (c) => {
  const key = c.req.param('key')
  const tenant = await tenantOfRequest(c, key)
  if (!tenant.ok) return tenant.response
  const [flag, overrides] = await Promise.all([
    findFlagByKey(c.var.db, key),
    findTenantOverrides(c.var.db, tenant.tenant.id),
  ])
  if (!flag) return failure(c, 404, 'FLAG_NOT_FOUND', `Flag '${key}' was not found.`, key)
  const override = overrides.get(flag.id)
  const subject = { tenantId: tenant.tenant.id, planId: tenant.tenant.planId, override }
  const resolution = resolveFlag(flag, subject)
  return c.json(toOfrepSuccess({ flag, override, resolution }))
})

ofrepRoutes.post('/evaluate/flags', async (c) => {
  const tenant = await tenantOfRequest(c)
  if (!tenant.ok) return tenant.response
  const flags = await resolveTenantFlags(c.var.db, tenant.tenant)
  const body = JSON.stringify({
    flags: flags.map(toOfrepSuccess),
    metadata: { tenantId: tenant.tenant.id, tenantSlug: tenant.tenant.slug },
  })
  // The ETag is the body's own hash: it changes exactly when a value, reason or flag does.
  const tag = entityTag(body)
  const headers = { ETag: tag, 'Cache-Control': 'private, no-cache' }
  if (matchesIfNoneMatch(c.req.header('if-none-match'), tag)) return c.body(null, 304, headers)
  return c.body(body, 200, { ...headers, 'Content-Type': 'application/json' })
})

type TenantOfRequest = { ok: true; tenant: FlagSubjectTenant } | { ok: false; response: Response }

/**
 * The live tenant the body's context names, or the OFREP failure to answer: PARSE_ERROR for a
 * body that is not JSON, INVALID_CONTEXT / TARGETING_KEY_MISSING for a context that names no
 * tenant, INVALID_CONTEXT for an unknown or deleted tenant (all 400; PROTOCOL.md "OFREP").
 */
async function tenantOfRequest(c: Context<KitEnv>, key?: string): Promise<TenantOfRequest> {
  let body: unknown
  try {
    body = JSON.parse(await c.req.text())
  } catch {
    return {
      ok: false,
      response: failure(c, 400, 'PARSE_ERROR', 'The body is not valid JSON.', key),
    }
  }
  const ref = tenantRefOf(body)
  if (!ref.ok) return { ok: false, response: failure(c, 400, ref.code, ref.details, key) }
  const tenant = await findFlagSubjectTenant(c.var.db, ref.ref)
  if (!tenant || tenant.status === 'deleted') {
    const details = `No tenant has the id or slug '${ref.ref}'.`
    return { ok: false, response: failure(c, 400, 'INVALID_CONTEXT', details, key) }
  }
  return { ok: true, tenant }
}

/** An OFREP failure body: `key` on the single-flag endpoint, without it on the bulk one. */
function failure(
  c: Context<AppEnv>,
  status: 400 | 404,
  errorCode: OfrepErrorCode,
  errorDetails: string,
  key?: string,
) {
  return c.json(
    key === undefined ? { errorCode, errorDetails } : { key, errorCode, errorDetails },
    status,
  )
}

/**
 * Errors around OFREP (the app key's 401 and 429, anything unexpected) as the spec's
 * `generalErrorResponse` JSON, plus the kit API's machine `code` (`unauthorized`,
 * `rate_limited`) on refusals; a 429 always carries Retry-After in seconds.
 */
export const ofrepErrorHandler: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof KitRefusal || (err instanceof HTTPException && err.status < 500)) {
    if (err.status === 429) c.header('Retry-After', String(60 - c.var.now().getUTCSeconds()))
    const code = err instanceof KitRefusal ? err.code : 'refused'
    return c.json({ errorDetails: err.message || 'Request refused.', code }, err.status)
  }
  logError(c, err)
  return c.json({ errorDetails: 'The evaluation failed; nothing was changed.' }, 500)
}

/** Anything else under /ofrep/v1: a JSON 404 (FLAG_NOT_FOUND is only for a flag key). */
export function ofrepNotFound(c: Context<AppEnv>) {
  return c.json({ errorDetails: 'There is nothing at this address.' }, 404)
}
