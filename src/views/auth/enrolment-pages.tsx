import type { FC } from 'hono/jsx'
import { raw } from 'hono/html'
import { Button } from '../components/button.js'
import { Field } from '../components/field.js'

export type FieldErrors = Partial<Record<string, string>>

/** The page title of the password step, by what the link was made for. */
export function enrolPasswordTitle(purpose: 'setup' | 'enrolment' | 'invitation'): string {
  return purpose === 'setup' ? 'Set up Fleetdeck' : 'Set your password'
}

export const InvalidLinkPage: FC = () => (
  <>
    <h1 class="text-lg font-semibold mb-2">This link cannot be used</h1>
    <p class="text-sm text-slate-600">
      It has already been used, has expired (setup links last one hour, invitations 72 hours), or
      was mistyped. Ask an owner for a new one, or run <code>npm run create-super-admin</code> on
      the server.
    </p>
  </>
)

/** Setup (first owner: email, name, password) or enrolment (existing admin: password only). */
export const EnrolPasswordPage: FC<{
  token: string
  purpose: 'setup' | 'enrolment' | 'invitation'
  email?: string
  name?: string
  errors: FieldErrors
}> = (p) => (
  <>
    <h1 class="text-lg font-semibold mb-1">
      {p.purpose === 'setup' ? 'Create the first owner' : 'Set your password'}
    </h1>
    <p class="text-sm text-slate-600 mb-4">
      {p.purpose === 'setup'
        ? 'No super admin exists yet. This one-time link creates the first owner. Next you will enrol an authenticator app.'
        : `Welcome, ${p.name ?? ''}. Choose a password, then enrol an authenticator app.`}
    </p>
    <form method="post" action={`/enrol/${p.token}`}>
      {p.purpose === 'setup' && (
        <>
          <Field
            name="email"
            label="Email"
            type="email"
            value={p.email}
            error={p.errors.email}
            autocomplete="username"
            required
          />
          <Field
            name="name"
            label="Name"
            value={p.name}
            error={p.errors.name}
            autocomplete="name"
            required
          />
        </>
      )}
      <Field
        name="password"
        label="Password"
        type="password"
        error={p.errors.password}
        autocomplete="new-password"
        hint="At least 12 characters."
        required
      />
      <Field
        name="confirm"
        label="Repeat password"
        type="password"
        error={p.errors.confirm}
        autocomplete="new-password"
        required
      />
      <Button>Continue</Button>
    </form>
  </>
)

/** The QR code is SVG made on the server from our own otpauth URI (qrcode), never from input. */
export const EnrolTotpPage: FC<{
  email: string
  qrSvg: string
  base32Key: string
  error?: string
}> = (p) => (
  <>
    <h1 class="text-lg font-semibold mb-1">Enrol your authenticator</h1>
    <p class="text-sm text-slate-600 mb-4">
      TOTP is mandatory for every super admin. Scan the code with your authenticator app, or type
      the key, then enter the 6-digit code it shows.
    </p>
    <figure class="m-0 mb-4 flex flex-col items-center">
      <div class="w-48 h-48" aria-label="QR image for the authenticator app" role="img">
        {raw(p.qrSvg)}
      </div>
      <figcaption class="mt-2 text-xs text-slate-600">
        Key for {p.email}:{' '}
        <code id="totp-key" class="font-mono text-sm tracking-wider select-all">
          {p.base32Key}
        </code>
      </figcaption>
    </figure>
    <form method="post" action="/enrol/totp">
      <Field
        name="code"
        label="Code"
        inputmode="numeric"
        autocomplete="one-time-code"
        error={p.error}
        required
        autofocus
      />
      <Button>Confirm and continue</Button>
    </form>
  </>
)
