import { Hono, type Context } from 'hono'
import { z } from 'zod'
import {
  clearLicenceKey,
  findMaskedLicenceKey,
  setLicenceKey,
} from '../../operators/licence-key.js'
import { LicencePage } from '../../views/settings/licence-page.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { requirePermission, requireRecentTotp } from '../../web/guards.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'

// /settings/licence (issue 10 item 6, seed 002): the licence key, recorded encrypted, shown as
// its last four characters, replaced or cleared. Owners, step-up.

const licenceForm = z.object({
  licenceKey: z
    .string()
    .trim()
    .min(8, 'Paste the whole key: at least 8 characters.')
    .max(4096, 'At most 4,096 characters.'),
})

const edit = requirePermission('saas.settings.edit')

export const licenceSettingsRoutes = new Hono<AppEnv>()

async function renderPage(c: Context<AppEnv>, error?: string) {
  const licence = await findMaskedLicenceKey(c.var.db, c.var.deps.config)
  if (error) c.status(422)
  return c.render(<LicencePage licence={licence} error={error} />, { title: 'Licence key' })
}

licenceSettingsRoutes.get('/', edit, (c) => renderPage(c))

licenceSettingsRoutes.post('/', edit, requireRecentTotp, async (c) => {
  const parsed = licenceForm.safeParse({ licenceKey: (await formFields(c)).licenceKey ?? '' })
  if (!parsed.success) return renderPage(c, parsed.error.issues[0].message)
  const { operator, deps } = c.var
  const result = await setLicenceKey(
    c.var.db,
    auditContext(c),
    deps.config,
    parsed.data.licenceKey,
    operator.id,
    c.var.now(),
  )
  await setFlash(c, {
    kind: 'success',
    text: `Licence key saved: the key ending in …${result.lastFour} is recorded.`,
  })
  return redirectTo(c, '/settings/licence')
})

licenceSettingsRoutes.delete('/', edit, requireRecentTotp, async (c) => {
  const { operator } = c.var
  const result = await clearLicenceKey(c.var.db, auditContext(c), operator.id, c.var.now())
  await setFlash(
    c,
    result.ok
      ? { kind: 'success', text: 'Licence key cleared: none is recorded now.' }
      : { kind: 'info', text: 'No licence key was recorded; nothing changed.' },
  )
  return redirectTo(c, '/settings/licence')
})
