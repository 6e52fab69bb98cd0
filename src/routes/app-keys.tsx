import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { parseAppOrigin } from '../auth/app-keys.js'
import { listAppKeys } from '../db/app-keys.js'
import { createAppKey, revokeAppKey } from '../operators/app-keys.js'
import {
  AppKeyCreatedPage,
  AppKeysPage,
  type AppKeyErrors,
  type AppKeyValues,
} from '../views/settings/app-keys-page.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { requirePermission, requireRecentTotp } from '../web/guards.js'
import { auditContext, formFields, redirectTo } from '../web/request.js'

const appKeyForm = z.object({
  name: z
    .string()
    .trim()
    .min(1, { error: 'Enter a name.' })
    .max(80, { error: 'Use at most 80 characters.' }),
  appUrl: z
    .string()
    .trim()
    .transform((text, ctx) => {
      const origin = parseAppOrigin(text)
      if (origin) return origin
      ctx.addIssue({
        code: 'custom',
        message:
          'Enter the app’s origin only: http:// or https://, a host and an optional port, nothing after it (https://app.example.com).',
      })
      return z.NEVER
    }),
})

const TITLE = { title: 'App keys' }

/** Mounted at `/settings/app-keys` (owners): the tenant apps allowed to call the kit API. */
export const appKeyRoutes = new Hono<AppEnv>()

const edit = requirePermission('saas.settings.edit')

async function renderList(
  c: Context<AppEnv>,
  values: Partial<AppKeyValues> = {},
  errors: AppKeyErrors = {},
) {
  const keys = await listAppKeys(c.var.db)
  return c.render(<AppKeysPage keys={keys} values={values} errors={errors} />, TITLE)
}

appKeyRoutes.get('/', edit, (c) => renderList(c))

// A new credential for the fleet's data: step-up, like the other security settings.
appKeyRoutes.post('/', edit, requireRecentTotp, async (c) => {
  const raw = await formFields(c)
  const parsed = appKeyForm.safeParse(raw)
  if (!parsed.success) {
    c.status(422)
    return renderList(c, raw, fieldErrors(parsed.error))
  }
  const { operator } = c.var
  const created = await createAppKey(
    c.var.db,
    auditContext(c),
    parsed.data,
    operator.id,
    c.var.now(),
  )
  // The token is on this response only (no redirect): the page is no-store like every other.
  c.status(201)
  return c.render(
    <AppKeyCreatedPage
      appKey={created.key}
      token={created.token}
      fleetdeckUrl={c.var.deps.config.publicUrl}
    />,
    { title: 'App key created' },
  )
})

appKeyRoutes.post('/:id/revocation', edit, requireRecentTotp, async (c) => {
  const id = c.req.param('id')
  const { operator } = c.var
  const result = await revokeAppKey(c.var.db, auditContext(c), id, operator.id, c.var.now())
  if (!result.ok && result.reason === 'not_found') {
    throw new HTTPException(404, { message: 'There is no such app key.' })
  }
  await setFlash(
    c,
    result.ok
      ? {
          kind: 'success',
          text: `App key “${result.key.name}” revoked: its app is refused from now on.`,
        }
      : { kind: 'info', text: 'That app key was already revoked; nothing changed.' },
  )
  return redirectTo(c, '/settings/app-keys')
})

function fieldErrors(error: z.ZodError): AppKeyErrors {
  const errors: Record<string, string> = {}
  for (const issue of error.issues) errors[String(issue.path[0])] ??= issue.message
  return errors
}
