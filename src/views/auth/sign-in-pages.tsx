import type { FC } from 'hono/jsx'
import { Button } from '../components/button.js'
import { Field } from '../components/field.js'

/** `next` is the local page to return to after sign-in (already made safe by the route). */
export const LoginPage: FC<{ email?: string; error?: string; next?: string }> = (p) => (
  <>
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
      {p.next && p.next !== '/' && <input type="hidden" name="next" value={p.next} />}
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
  </>
)

export const TotpPage: FC<{ email: string; error?: string; next?: string }> = (p) => (
  <>
    <h1 class="text-lg font-semibold mb-1">Authentication code</h1>
    <p class="text-sm text-slate-600 mb-4">
      Signing in as {p.email}. Enter the 6-digit code from your authenticator app.
    </p>
    <form
      method="post"
      action={
        p.next && p.next !== '/'
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
  </>
)
