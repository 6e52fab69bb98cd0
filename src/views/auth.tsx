import type { FC } from 'hono/jsx'
import { raw } from 'hono/html'
import { AuthLayout, Button, Field } from './layout.js'
import type { Flash } from '../web/flash.js'

export type FieldErrors = Partial<Record<string, string>>

/** `next` is the local page to return to after sign-in (already made safe by the route). */
export const LoginPage: FC<{ email?: string; error?: string; flash?: Flash; next?: string }> = (
  p,
) => (
  <AuthLayout title="Sign in" flash={p.flash}>
    <h1 class="text-lg font-semibold mb-4">Sign in</h1>
    {p.error && (
      <p
        role="alert"
        class="mb-4 rounded bg-red-50 border border-red-300 px-3 py-2 text-sm text-red-800"
      >
        {p.error}
      </p>
    )}
    <form method="post" action="/login">
      {p.next && p.next !== '/tenants' && <input type="hidden" name="next" value={p.next} />}
      <Field
        name="email"
        label="Email"
        type="email"
        value={p.email}
        autocomplete="username"
        required
        autofocus
      />
      <Field
        name="password"
        label="Password"
        type="password"
        autocomplete="current-password"
        required
      />
      <Button>Continue</Button>
    </form>
  </AuthLayout>
)

export const TotpPage: FC<{ email: string; error?: string; next?: string }> = (p) => (
  <AuthLayout title="Authentication code">
    <h1 class="text-lg font-semibold mb-1">Authentication code</h1>
    <p class="text-sm text-slate-600 mb-4">
      Signing in as {p.email}. Enter the 6-digit code from your authenticator app.
    </p>
    <form
      method="post"
      action={
        p.next && p.next !== '/tenants'
          ? `/login/totp?${new URLSearchParams({ next: p.next })}`
          : '/login/totp'
      }
    >
      <Field
        name="code"
        label="Code"
        inputmode="numeric"
        autocomplete="one-time-code"
        error={p.error}
        required
        autofocus
      />
      <div class="flex items-center gap-3">
        <Button>Sign in</Button>
      </div>
    </form>
    <form method="post" action="/logout" class="mt-4">
      <button
        type="submit"
        class="text-sm text-slate-600 underline bg-transparent border-0 p-0 cursor-pointer"
      >
        Use another account
      </button>
    </form>
  </AuthLayout>
)

export const InvalidLinkPage: FC = () => (
  <AuthLayout title="Link not valid">
    <h1 class="text-lg font-semibold mb-2">This link cannot be used</h1>
    <p class="text-sm text-slate-600">
      It has already been used, has expired (setup links last one hour, invitations 72 hours), or
      was mistyped. Ask an owner for a new one, or run <code>npm run create-super-admin</code> on
      the server.
    </p>
  </AuthLayout>
)

/** Setup (first owner: email, name, password) or enrolment (existing admin: password only). */
export const EnrolPasswordPage: FC<{
  token: string
  purpose: 'setup' | 'enrolment' | 'invitation'
  email?: string
  name?: string
  errors: FieldErrors
}> = (p) => (
  <AuthLayout title={p.purpose === 'setup' ? 'Set up Fleetdeck' : 'Set your password'}>
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
  </AuthLayout>
)

/** The QR code is SVG made on the server from our own otpauth URI (qrcode), never from input. */
export const EnrolTotpPage: FC<{
  email: string
  qrSvg: string
  base32Key: string
  error?: string
}> = (p) => (
  <AuthLayout title="Enrol authenticator">
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
  </AuthLayout>
)
