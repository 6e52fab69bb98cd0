import { Field } from './layout.js'

export function SignInPage(props: {
  tenant: { slug: string; name: string }
  email?: string
  errors?: Record<string, string>
}) {
  const errors = props.errors ?? {}
  return (
    <>
      <h1>Sign in to {props.tenant.name}</h1>
      {errors.form && (
        <p class="error" role="alert" id="sign-in-error">
          {errors.form}
        </p>
      )}
      <form method="post" action={`/t/${props.tenant.slug}/sign-in`}>
        <Field
          name="email"
          label="Email"
          type="email"
          value={props.email}
          error={errors.email}
          autocomplete="username"
        />
        <Field
          name="password"
          label="Password"
          type="password"
          error={errors.password}
          autocomplete="current-password"
        />
        <button type="submit">Sign in</button>
      </form>
      <p>
        Not a member yet?{' '}
        <a href={`/t/${props.tenant.slug}/join`}>Ask to join {props.tenant.name}</a>
      </p>
    </>
  )
}
