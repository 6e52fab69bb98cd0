import { Field } from './layout.js'

// The self-service signup of the example app (issue 10 item 6): shown only while Fleetdeck says
// public signup is open; the workspace gets Fleetdeck's default plan.

export type SignupForm = Partial<Record<'workspace' | 'slug' | 'name' | 'email', string>>
export type SignupErrors = Partial<Record<keyof SignupForm | 'password' | 'form', string>>

export function SignupPage(props: {
  form: SignupForm
  errors: SignupErrors
  plan: { name: string } | null
}) {
  const { form, errors } = props
  return (
    <>
      <h1>Create a workspace</h1>
      {props.plan && <p>New workspaces start on the {props.plan.name} plan.</p>}
      {errors.form && (
        <p class="error" role="alert" id="signup-error">
          {errors.form}
        </p>
      )}
      <form method="post" action="/signup">
        <Field
          name="workspace"
          label="Workspace name"
          value={form.workspace}
          error={errors.workspace}
          autocomplete="organization"
        />
        <Field
          name="slug"
          label="Workspace address"
          value={form.slug}
          error={errors.slug}
          autocomplete="off"
          hint="Lowercase letters, digits and dashes; your board will be at /t/<address>/."
        />
        <Field
          name="name"
          label="Your name"
          value={form.name}
          error={errors.name}
          autocomplete="name"
        />
        <Field
          name="email"
          label="Email"
          type="email"
          value={form.email}
          error={errors.email}
          autocomplete="email"
        />
        <Field
          name="password"
          label="Password"
          type="password"
          error={errors.password}
          autocomplete="new-password"
          hint="At least 12 characters."
        />
        <button type="submit">Create workspace</button>
      </form>
    </>
  )
}

/** The app's front page: where workspaces live, and signup while it is open. */
export function LandingPage(props: { signupOpen: boolean }) {
  return (
    <>
      <h1>Notes board</h1>
      <p>A shared notes board for every workspace. Open yours at /t/&lt;workspace&gt;/.</p>
      {props.signupOpen && (
        <p>
          <a href="/signup">Create a workspace</a>
        </p>
      )}
    </>
  )
}
