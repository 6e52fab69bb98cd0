// The pages the Hono middleware refuses with; an app restyles them through `renderRefusal`.

/** Why a request was refused. */
export type RefusalKind =
  | 'tenant_suspended'
  | 'tenant_not_found'
  | 'not_a_member'
  | 'user_disabled'
  | 'read_only'
  | 'handoff_refused'
  | 'impersonation_ended'

/** A refusal to render: the HTTP status, why, a heading and one sentence for people. */
export type RefusalPage = {
  status: 403 | 404 | 409 | 410
  kind: RefusalKind
  title: string
  message: string
}

/** The default page of each refusal; `signed_out` is `not_a_member` worded for a missing session. */
export const REFUSALS: Record<RefusalKind | 'signed_out', RefusalPage> = {
  tenant_suspended: {
    status: 403,
    kind: 'tenant_suspended',
    title: 'This workspace is suspended',
    message: "Its data is kept, but it can't be used for now. Contact your workspace's owner.",
  },
  tenant_not_found: {
    status: 404,
    kind: 'tenant_not_found',
    title: 'Workspace not found',
    message: 'There is no workspace at this address.',
  },
  not_a_member: {
    status: 403,
    kind: 'not_a_member',
    title: "You're not a member of this workspace",
    message: 'Ask one of its admins to add you.',
  },
  signed_out: {
    status: 403,
    kind: 'not_a_member',
    title: 'Sign in to continue',
    message: 'This workspace is for its members only.',
  },
  user_disabled: {
    status: 403,
    kind: 'user_disabled',
    title: 'Your account is disabled',
    message: "Contact your workspace's owner if you think this is a mistake.",
  },
  read_only: {
    status: 403,
    kind: 'read_only',
    title: 'Support is viewing this workspace read-only',
    message: 'Nothing can be changed during a read-only support session.',
  },
  handoff_refused: {
    status: 403,
    kind: 'handoff_refused',
    title: "This support link can't be used",
    message: 'Start a new session from Fleetdeck.',
  },
  impersonation_ended: {
    status: 410,
    kind: 'impersonation_ended',
    title: 'Support access has ended',
    message: 'The support session has ended or expired. Start a new one from Fleetdeck.',
  },
}

/** A minimal accessible page for `refusal`: language, title, one heading, the message. */
export function refusalHtml(refusal: Pick<RefusalPage, 'title' | 'message'>): string {
  const title = escapeHtml(refusal.title)
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body><main><h1>${title}</h1><p>${escapeHtml(refusal.message)}</p></main></body>
</html>`
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  )
}
