import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { listPlans } from '../../db/plans.js'
import { getSignupSettings } from '../../db/signup-settings.js'
import { saveSignupSettings, signupOffer } from '../../tenancy/self-service-signup.js'
import { SignupSettingsPage, type SignupFormValues } from '../../views/settings/signup-page.js'
import type { AppEnv } from '../../web/env.js'
import { setFlash } from '../../web/flash.js'
import { requirePermission, requireRecentTotp } from '../../web/guards.js'
import { auditContext, formFields, redirectTo } from '../../web/request.js'

// /settings/signup (issue 10 item 6, owners): public signup on or off, and the default plan of
// self-service signups; tenant apps read both through GET /kit/v1/signup.

// An unchecked box sends nothing; a form without the select, or other values, is not ours: 400.
const signupForm = z.object({
  publicSignup: z.literal('on').optional(),
  defaultPlanId: z.string().max(100),
})

/** Public signup and the default plan for self-service signups (issue 10 item 6). */
export const signupSettingsRoutes = new Hono<AppEnv>()

const edit = requirePermission('saas.settings.edit')

async function renderSignup(c: Context<AppEnv>, submitted?: SignupFormValues, error?: string) {
  const [settings, plans] = await Promise.all([getSignupSettings(c.var.db), listPlans(c.var.db)])
  const offer = signupOffer(settings, plans)
  const values = submitted ?? {
    publicSignup: settings.publicSignup,
    defaultPlanId: settings.defaultPlanId ?? '',
  }
  const gone = settings.defaultPlanId ?? ''
  const unusableChoice = offer.fallback
    ? { id: gone, name: offer.chosen?.name ?? `${gone} (deleted)` }
    : undefined
  if (error) c.status(422)
  return c.render(
    <SignupSettingsPage
      values={values}
      errors={error ? { defaultPlanId: error } : {}}
      plans={plans}
      effectivePlan={offer.plan}
      unusableChoice={unusableChoice}
      firstPublicPlan={plans.find((p) => p.isPublic && !p.archivedAt)}
    />,
    { title: 'Signup settings' },
  )
}

signupSettingsRoutes.get('/', edit, (c) => renderSignup(c))

signupSettingsRoutes.post('/', edit, requireRecentTotp, async (c) => {
  const parsed = signupForm.safeParse(await formFields(c))
  if (!parsed.success)
    throw new HTTPException(400, { message: 'Malformed signup settings; nothing was changed.' })
  const values = {
    publicSignup: parsed.data.publicSignup === 'on',
    defaultPlanId: parsed.data.defaultPlanId.trim(),
  }
  const settings = {
    publicSignup: values.publicSignup,
    defaultPlanId: values.defaultPlanId || null,
  }
  const { operator } = c.var
  const result = await saveSignupSettings(
    c.var.db,
    auditContext(c),
    settings,
    operator.id,
    c.var.now(),
  )
  if (!result.ok)
    return renderSignup(c, values, 'That plan is archived or no longer exists; choose another.')
  await setFlash(
    c,
    result.changed
      ? { kind: 'success', text: await savedText(c, settings.publicSignup) }
      : { kind: 'info', text: 'No changes to save.' },
  )
  return redirectTo(c, '/settings/signup')
})

async function savedText(c: Context<AppEnv>, open: boolean): Promise<string> {
  const offer = signupOffer(await getSignupSettings(c.var.db), await listPlans(c.var.db))
  const plan = offer.plan?.name ?? 'none'
  return `Signup settings saved: public signup is ${open ? 'on' : 'off'}; new workspaces get the ${plan} plan.`
}
