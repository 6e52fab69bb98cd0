import { Field } from './layout.js'

export function JoinPage(props: {
  tenant: { slug: string; name: string }
  form: Record<string, string>
  errors: Record<string, string>
  sent?: string
}) {
  const { errors, form } = props
  if (props.sent)
    return (
      <>
        <h1>Ask to join {props.tenant.name}</h1>
        <p role="status" id="join-sent">
          {props.sent}
        </p>
      </>
    )
  return (
    <>
      <h1>Ask to join {props.tenant.name}</h1>
      {errors.form && (
        <p class="error" role="alert" id="join-error">
          {errors.form}
        </p>
      )}
      <form method="post" action={`/t/${props.tenant.slug}/join`}>
        <Field
          name="email"
          label="Email"
          type="email"
          value={form.email}
          error={errors.email}
          autocomplete="email"
        />
        <Field
          name="name"
          label="Name"
          value={form.name}
          error={errors.name}
          autocomplete="name"
          required={false}
        />
        <p class="field">
          <label for="field-message">Message to the admins (optional)</label>
          <textarea id="field-message" name="message" rows={3}>
            {form.message ?? ''}
          </textarea>
          {errors.message && <span class="error">{errors.message}</span>}
        </p>
        <button type="submit">Send request</button>
      </form>
      <p>
        Already a member? <a href={`/t/${props.tenant.slug}/sign-in`}>Sign in</a>
      </p>
    </>
  )
}
