import type { FC } from 'hono/jsx'
import { Button } from '../components/button.js'
import { Field } from '../components/field.js'

export const StepUpPage: FC<{ email: string; next: string; error?: string }> = (p) => (
  <>
    <h1 class="text-lg font-semibold mb-1">Confirm it is you</h1>
    <p class="text-sm text-slate-600 mb-4">
      This action needs an authentication code from the last 10 minutes. Enter the current code for{' '}
      {p.email}, then repeat the action.
    </p>
    <form method="post" action={`/step-up?next=${encodeURIComponent(p.next)}`}>
      <Field
        name="code"
        label="Code"
        inputmode="numeric"
        autocomplete="one-time-code"
        error={p.error}
        required
        autofocus
      />
      <Button>Confirm</Button>
    </form>
    <p class="mt-4 text-sm">
      <a href={p.next} class="text-violet-700 underline">
        Cancel
      </a>
    </p>
  </>
)
