import { Hono, type Context } from 'hono'
import QRCode from 'qrcode'
import { z } from 'zod'
import { completePasswordEnrolment } from '../auth/enrol.js'
import { findUsableEnrolmentToken, type EnrolmentToken } from '../auth/enrolment.js'
import { decryptSecret, deriveKey, encryptSecret } from '../auth/encryption.js'
import { passwordProblem } from '../auth/password.js'
import { verifyTotp } from '../auth/sign-in.js'
import { generateTotpKey, totpKeyToBase32, totpKeyUri } from '../auth/totp.js'
import { findSuperAdminById, setPendingTotpSecret } from '../db/super-admins.js'
import {
  EnrolPasswordPage,
  enrolPasswordTitle,
  EnrolTotpPage,
  InvalidLinkPage,
  type FieldErrors,
} from '../views/auth/enrolment-pages.js'
import type { AppEnv } from '../web/env.js'
import { setFlash } from '../web/flash.js'
import { loadSession } from '../web/guards.js'
import { auditContext, formFields, redirectTo } from '../web/request.js'
import { writeSessionCookie } from '../web/session-cookie.js'

const TOKEN = ':token{[a-z2-7]{32}\\.[a-z2-7]{32}}'

// Lenient on purpose: a missing or oversized field is a 422 with a message from the checks below
// (passwordProblem caps the length before any hashing), never a parse error and a 500.
const enrolForm = z.object({
  email: z.string().trim().optional(),
  name: z.string().trim().optional(),
  password: z.string().default(''),
  confirm: z.string().default(''),
})
const setupFields = z.object({
  email: z
    .email({ error: 'Enter a valid email address.' })
    .max(320, { error: 'Use at most 320 characters.' }),
  name: z
    .string()
    .min(1, { error: 'Enter a name.' })
    .max(200, { error: 'Use at most 200 characters.' }),
})

/** Mounted at `/enrol`: invitation and setup links, then the authenticator. */
export const enrolmentRoutes = new Hono<AppEnv>()

const ENROL_TOTP = { title: 'Enrol authenticator' }

/** Used, expired or mistyped: one page for all three, so a guess learns nothing. */
function invalidLink(c: Context<AppEnv>) {
  c.status(404)
  return c.render(<InvalidLinkPage />, { title: 'Link not valid' })
}

/** The name of the admin an enrolment link was made for, to greet them; none for setup. */
async function inviteeName(c: Context<AppEnv>, link: EnrolmentToken): Promise<string | undefined> {
  if (link.purpose === 'setup' || !link.superAdminId) return undefined
  return (await findSuperAdminById(c.var.db, link.superAdminId))?.name
}

enrolmentRoutes.get(`/${TOKEN}`, async (c) => {
  const link = await findUsableEnrolmentToken(c.var.db, c.req.param('token'), c.var.now())
  if (!link) return invalidLink(c)
  return c.render(
    <EnrolPasswordPage
      token={c.req.param('token')}
      purpose={link.purpose}
      name={await inviteeName(c, link)}
      errors={{}}
    />,
    { title: enrolPasswordTitle(link.purpose) },
  )
})

enrolmentRoutes.post(`/${TOKEN}`, async (c) => {
  const token = c.req.param('token')
  const link = await findUsableEnrolmentToken(c.var.db, token, c.var.now())
  if (!link) return invalidLink(c)
  const form = enrolForm.parse(await formFields(c))
  const errors: FieldErrors = {}
  if (link.purpose === 'setup') {
    const setup = setupFields.safeParse(form)
    for (const issue of setup.error?.issues ?? []) errors[String(issue.path[0])] ??= issue.message
  }
  errors.password = passwordProblem(form.password)
  if (!errors.password && form.password !== form.confirm)
    errors.confirm = 'The passwords do not match.'
  const name = link.purpose === 'setup' ? form.name : await inviteeName(c, link)
  const rerender = () => {
    c.status(422)
    return c.render(
      <EnrolPasswordPage
        token={token}
        purpose={link.purpose}
        email={form.email}
        name={name}
        errors={errors}
      />,
      { title: enrolPasswordTitle(link.purpose) },
    )
  }
  if (Object.values(errors).some(Boolean)) return rerender()
  const result = await completePasswordEnrolment(c.var.db, auditContext(c), link, form, c.var.now())
  if (!result.ok && result.reason === 'email_taken') {
    errors.email = 'A super admin with this email already exists.'
    return rerender()
  }
  if (!result.ok) return invalidLink(c)
  writeSessionCookie(c, result.token)
  return redirectTo(c, '/enrol/totp')
})

/** Only a half session of an admin without TOTP may enrol; anyone else goes to sign-in. */
async function pendingEnrolment(c: Context<AppEnv>) {
  const found = await loadSession(c)
  if (!found || found.session.twoFactorVerified || found.admin.mfaEnabled) return undefined
  return found
}

/** The key as a QR code (SVG made here from our own otpauth URI) and as text to type. */
async function renderEnrolTotp(c: Context<AppEnv>, email: string, key: Uint8Array, error?: string) {
  const qrSvg = await QRCode.toString(totpKeyUri(email, key), { type: 'svg', margin: 1 })
  return c.render(
    <EnrolTotpPage email={email} qrSvg={qrSvg} base32Key={totpKeyToBase32(key)} error={error} />,
    ENROL_TOTP,
  )
}

const BAD_CODE = 'That code is not valid. Check the device clock and try the next code.'

enrolmentRoutes.get('/totp', async (c) => {
  const found = await pendingEnrolment(c)
  if (!found) return c.redirect('/login', 303)
  const totpKey = deriveKey(c.var.deps.config.secretKey, 'totp-secret')
  // Reuse the pending key so a reload does not invalidate what the app already scanned.
  let key = found.admin.totpSecretEncrypted
    ? decryptSecret(totpKey, found.admin.totpSecretEncrypted)
    : undefined
  if (!key) {
    const stored = await setPendingTotpSecret(
      c.var.db,
      found.admin.id,
      encryptSecret(totpKey, generateTotpKey()),
    )
    if (!stored) return c.redirect('/login', 303)
    key = decryptSecret(totpKey, stored)
  }
  return renderEnrolTotp(c, found.admin.email, key)
})

enrolmentRoutes.post('/totp', async (c) => {
  const found = await pendingEnrolment(c)
  if (!found) return c.redirect('/login', 303)
  if (!found.admin.totpSecretEncrypted) return redirectTo(c, '/enrol/totp')
  const code = String((await formFields(c)).code ?? '').slice(0, 20)
  const totpKey = deriveKey(c.var.deps.config.secretKey, 'totp-secret')
  const result = await verifyTotp(
    c.var.db,
    auditContext(c),
    found.admin,
    found.session,
    code,
    totpKey,
    c.var.now(),
    'enrol',
  )
  if (!result.ok) {
    const key = decryptSecret(totpKey, found.admin.totpSecretEncrypted)
    c.status(422)
    return renderEnrolTotp(c, found.admin.email, key, BAD_CODE)
  }
  writeSessionCookie(c, result.token)
  await setFlash(c, { kind: 'success', text: 'Authenticator enrolled. Welcome to Fleetdeck.' })
  return redirectTo(c, '/tenants')
})

// Anything else under /enrol (a mistyped link) is a plain 404 here, before the console group's
// guard would send it to sign-in.
enrolmentRoutes.all('*', (c) => c.notFound())
