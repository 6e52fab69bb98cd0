import type { FC } from 'hono/jsx'
import { useRequestContext } from 'hono/jsx-renderer'
import { providerLabel, providerOrigin } from '../../auth/sso-providers.js'
import type { AppEnv } from '../../web/env.js'
import { allowFormActionTo } from '../../web/hardening.js'
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
    <SsoButtons />
  </>
)

/**
 * "Continue with …", one form per identity provider in SSO_PROVIDERS (none when empty). Read
 * from the request like the layout's flash, since every page that shows the sign-in form needs
 * them. Each form posts here and is answered with a redirect to the provider, which the page's
 * CSP `form-action` must allow (browsers apply it to the redirect after a post).
 */
export const SsoButtons: FC = () => {
  const c = useRequestContext<AppEnv>()
  const providers = c.var.deps.config.ssoProviders
  if (providers.length === 0) return null
  allowFormActionTo(c, providers.map(providerOrigin))
  return (
    <section aria-labelledby="sso-heading" class="mt-6 border-t border-slate-200 pt-4">
      <h2 id="sso-heading" class="text-sm font-medium text-slate-700 mb-2">
        Or sign in with your company account
      </h2>
      <ul class="flex flex-col gap-2 list-none p-0 m-0">
        {providers.map((provider) => (
          <li>
            <form method="post" action={`/login/sso/${provider.id}`}>
              <button
                type="submit"
                class="w-full rounded border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 cursor-pointer"
              >
                Continue with {providerLabel(provider)}
              </button>
            </form>
          </li>
        ))}
      </ul>
      <p class="mt-2 text-xs text-slate-600">Your authentication code is asked for afterwards.</p>
    </section>
  )
}

/** A sign-in through an identity provider went through: on to the TOTP step (see routes/sso.tsx). */
export const SsoContinuePage: FC<{ provider: string; next: string }> = (p) => (
  <>
    <meta http-equiv="refresh" content={`0;url=${p.next}`} />
    <h1 class="text-lg font-semibold mb-2">Signed in with {p.provider}</h1>
    <p class="text-sm text-slate-600 mb-4">Your authentication code is still required.</p>
    <a href={p.next} class="text-violet-700 underline">
      Continue to the authentication code
    </a>
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
