import { Hono, type Context } from 'hono'
import { getThresholdOverrides } from '../../db/health-thresholds.js'
import { effectiveThresholds } from '../../health/metrics.js'
import { parseThresholdForm, saveHealthThresholds } from '../../health/thresholds.js'
import { ThresholdsPage } from '../../views/settings/thresholds-page.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { requirePermission, requireRecentTotp } from '../../web/guards.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'

/** Health thresholds (issue 10 item 3): owners edit what /system calls warning and critical. */
export const thresholdSettingsRoutes = new Hono<AppEnv>()

const edit = requirePermission('saas.settings.edit')

async function renderThresholds(
  c: Context<AppEnv>,
  refused?: { errors: Record<string, string>; values: Record<string, string> },
) {
  const thresholds = effectiveThresholds(await getThresholdOverrides(c.var.db))
  if (refused) c.status(422)
  return c.render(<ThresholdsPage thresholds={thresholds} {...refused} />, {
    title: 'Health thresholds',
  })
}

thresholdSettingsRoutes.get('/', edit, (c) => renderThresholds(c))

thresholdSettingsRoutes.post('/', edit, requireRecentTotp, async (c) => {
  const form = parseThresholdForm(await formFields(c))
  if (!form.ok) return renderThresholds(c, form)
  const { operator } = c.var
  const result = await saveHealthThresholds(
    c.var.db,
    auditContext(c),
    form.overrides,
    operator.id,
    c.var.now(),
  )
  const changed = result.ok && result.changed
  await setFlash(c, {
    kind: changed ? 'success' : 'info',
    text: changed
      ? 'Health thresholds saved.'
      : 'Nothing changed: the thresholds were already these.',
  })
  return redirectTo(c, '/settings/thresholds')
})

thresholdSettingsRoutes.delete('/', edit, requireRecentTotp, async (c) => {
  const result = await saveHealthThresholds(
    c.var.db,
    auditContext(c),
    {},
    c.var.operator.id,
    c.var.now(),
  )
  await setFlash(c, {
    kind: 'success',
    text:
      result.ok && result.changed
        ? 'Health thresholds reset to their defaults.'
        : 'The thresholds already were the defaults.',
  })
  return redirectTo(c, '/settings/thresholds')
})
