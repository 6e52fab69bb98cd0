import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { createApiToken, revokeApiToken } from '../auth/api-tokens.js'
import { ROLE_PERMISSIONS } from '../auth/permissions.js'
import { listAllApiTokens, listOwnApiTokens } from '../db/api-tokens.js'
import { TokenCreatedPage, TokensPage } from '../views/account/tokens-page.js'
import type { TokenErrors, TokenValues } from '../views/account/tokens-fragments.js'
import type { AppEnv } from '../web/env.js'
import { parsedForm } from '../web/form-body.js'
import { setFlash } from '../web/flash.js'
import { requireRecentTotp } from '../web/guards.js'
import { auditContext, formFields, redirectTo } from '../web/request.js'

// The signed-in operator's API tokens (issue 14 item 2), mounted at /account/tokens. Any operator
// may make tokens carrying part of their own role; owners also see and may revoke everyone's.

export const accountTokenRoutes = new Hono<AppEnv>()

const TITLE = { title: 'API tokens' }
const DATE = /^\d{4}-\d{2}-\d{2}$/

async function renderTokens(
  c: Context<AppEnv>,
  values: TokenValues = {},
  errors: TokenErrors = {},
) {
  const { db, operator } = c.var
  const [own, all] = await Promise.all([
    listOwnApiTokens(db, operator.id),
    operator.role === 'owner' ? listAllApiTokens(db) : undefined,
  ])
  const choices = ROLE_PERMISSIONS[operator.role]
  const page = { own, all, choices, values, errors, now: c.var.now() }
  return c.render(<TokensPage {...page} />, TITLE)
}

/** The form as typed; every checked permission box (formFields keeps only the last). */
async function readTokenForm(c: Context<AppEnv>): Promise<TokenValues> {
  const fields = await formFields(c)
  const permissions = (parsedForm(c)?.getAll('permissions') ?? []).filter(
    (v): v is string => typeof v === 'string',
  )
  return {
    name: fields.name ?? '',
    permissions,
    expiresInDays: fields.expiresInDays,
    expiresOn: fields.expiresOn?.trim(),
    stepUp: fields.stepUp === 'on',
  }
}

// A token allowed to act where the console asks for step-up is itself made after step-up.
const stepUpWhenAsked: MiddlewareHandler<AppEnv> = async (c, next) =>
  (await formFields(c)).stepUp === 'on' ? requireRecentTotp(c, next) : next()

accountTokenRoutes.get('/', (c) => renderTokens(c))

accountTokenRoutes.post('/', stepUpWhenAsked, async (c) => {
  const values = await readTokenForm(c)
  const days = /^\d{1,4}$/.test(values.expiresInDays ?? '')
    ? Number(values.expiresInDays)
    : undefined
  if (values.expiresOn && !DATE.test(values.expiresOn)) {
    return refuseForm(c, values, { expiresAt: 'Enter the date as YYYY-MM-DD.' })
  }
  const result = await createApiToken(
    c.var.db,
    auditContext(c),
    {
      operator: c.var.operator,
      name: values.name ?? '',
      permissions: values.permissions ?? [],
      expiresInDays: values.expiresOn ? undefined : days,
      expiresAt: values.expiresOn ? new Date(`${values.expiresOn}T00:00:00Z`) : undefined,
      // Reaching here with the box checked means requireRecentTotp passed.
      stepUp: values.stepUp === true,
    },
    c.var.now(),
  )
  if (!result.ok) {
    const errors: TokenErrors = {}
    for (const e of result.errors) errors[e.field] ??= e.message
    return refuseForm(c, values, errors)
  }
  // The token is on this response only: no redirect, no flash cookie, and the page is no-store.
  c.set('flash', { kind: 'success', text: `API token “${values.name?.trim()}” created.` })
  return c.render(<TokenCreatedPage name={values.name?.trim() ?? ''} token={result.token} />, {
    title: 'API token created',
  })
})

accountTokenRoutes.delete('/:id', async (c) => {
  const by = c.var.operator
  const result = await revokeApiToken(
    c.var.db,
    auditContext(c),
    { tokenId: c.req.param('id'), by },
    c.var.now(),
  )
  if (!result.ok && result.reason === 'not_found')
    throw new HTTPException(404, { message: 'There is no such API token.' })
  if (!result.ok && result.reason === 'forbidden')
    throw new HTTPException(403, { message: "Only an owner may revoke another operator's token." })
  await setFlash(
    c,
    result.ok
      ? {
          kind: 'success',
          text: `API token “${result.token.name}” revoked: it is refused from now on.`,
        }
      : { kind: 'info', text: 'That API token was already revoked; nothing changed.' },
  )
  return redirectTo(c, '/account/tokens')
})

function refuseForm(c: Context<AppEnv>, values: TokenValues, errors: TokenErrors) {
  c.status(422)
  c.set('flash', { kind: 'error', text: 'The token was not created: see the fields marked below.' })
  return renderTokens(c, values, errors)
}
