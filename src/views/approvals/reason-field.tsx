import type { FC } from 'hono/jsx'

/** What an action form needs when its kind goes through dual control (issue 14 item 6). */
export type ApprovalFieldProps = { reason?: string; reasonError?: string }

/**
 * The "Reason (required for approval)" field an action form shows while the approval policy
 * covers its kind; `idSuffix` keeps ids unique when a page has two such forms.
 */
export const ApprovalReasonField: FC<ApprovalFieldProps & { idSuffix?: string }> = (p) => {
  const id = `field-approvalReason${p.idSuffix ?? ''}`
  return (
    <div class="mb-4">
      <label for={id} class="mb-1 block text-sm font-medium text-slate-700">
        Reason (required for approval)
      </label>
      <textarea
        id={id}
        name="approvalReason"
        rows={2}
        maxlength={500}
        required
        aria-invalid={p.reasonError ? 'true' : undefined}
        aria-describedby={`${id}-hint${p.reasonError ? ` ${id}-error` : ''}`}
        class={`w-full rounded border px-3 py-2 text-sm ${p.reasonError ? 'border-red-500' : 'border-slate-300'}`}
      >
        {p.reason ?? ''}
      </textarea>
      <p id={`${id}-hint`} class="mt-1 text-xs text-slate-600">
        Dual control is on for this action: it runs only once a second owner or admin approves it,
        within 24 hours.
      </p>
      {p.reasonError && (
        <p id={`${id}-error`} class="mt-1 text-sm text-red-700">
          {p.reasonError}
        </p>
      )}
    </div>
  )
}
