import type { FC } from 'hono/jsx'
import type { ApprovalRequest } from '../../approvals/approval-rows.js'
import { APPROVAL_KIND_LABELS } from '../../approvals/policy.js'
import type { SuperAdmin } from '../../db/super-admins.js'
import { Button } from '../components/button.js'
import { BackLink, Section } from '../components/section.js'
import { formatDateTime } from '../format.js'

// /approvals (issue 14 item 6): pending requests with the exact change and the time left, and
// past ones with their decision and result.

export type ApprovalsPageProps = {
  viewer: SuperAdmin
  pending: ApprovalRequest[]
  past: ApprovalRequest[]
  now: Date
}

const STATUS_TEXT: Record<ApprovalRequest['status'], string> = {
  pending: 'pending',
  approved: 'approved and run',
  rejected: 'rejected',
  expired: 'expired unanswered',
  failed: 'approved but not run',
  cancelled: 'cancelled by the requester',
}

function timeLeft(request: ApprovalRequest, now: Date): string {
  const ms = request.expiresAt.getTime() - now.getTime()
  if (ms <= 0) return 'expired'
  const h = Math.floor(ms / 3_600_000)
  const m = Math.floor((ms % 3_600_000) / 60_000)
  return `${h} h ${m} min left`
}

const json = (value: unknown) => JSON.stringify(value, null, 2)

/** One request: who, what, why, the change in full, and what the viewer may do with it. */
export const ApprovalCard: FC<{
  request: ApprovalRequest
  viewer: SuperAdmin
  now: Date
  /** h3 inside a list's section; h2 alone under the page's h1 (heading order, WCAG 1.3.1). */
  headingLevel?: 2 | 3
}> = ({ request: r, viewer, now, headingLevel = 3 }) => {
  const Heading = headingLevel === 2 ? 'h2' : 'h3'
  const mine = r.requestedBy === viewer.id
  const open = r.status === 'pending' && !r.decidedBy && r.expiresAt > now
  return (
    <article
      id={`approval-${r.id}`}
      aria-labelledby={`approval-${r.id}-title`}
      class="mb-4 rounded border border-slate-200 bg-white p-4 text-sm"
    >
      <Heading id={`approval-${r.id}-title`} class="m-0 mb-2 text-base font-semibold">
        <a href={`/approvals/${r.id}`} class="text-violet-700 underline">
          {r.summary}
        </a>
      </Heading>
      <dl class="m-0 mb-3 grid grid-cols-[10rem_1fr] gap-x-3 gap-y-1">
        <dt class="text-slate-600">Action</dt>
        <dd class="m-0">{APPROVAL_KIND_LABELS[r.kind]}</dd>
        <dt class="text-slate-600">Requested by</dt>
        <dd class="m-0">
          {r.requestedByEmail}, {formatDateTime(r.createdAt)}
        </dd>
        <dt class="text-slate-600">Reason</dt>
        <dd class="m-0 whitespace-pre-wrap">{r.reason}</dd>
        <dt class="text-slate-600">Status</dt>
        <dd class="m-0" data-status={r.status}>
          {r.status === 'pending' && r.decidedBy
            ? `being approved by ${r.decidedByEmail}`
            : r.status === 'pending'
              ? `pending — ${timeLeft(r, now)}`
              : STATUS_TEXT[r.status]}
        </dd>
        {r.decidedByEmail && r.status !== 'pending' && (
          <>
            <dt class="text-slate-600">Decided by</dt>
            <dd class="m-0">
              {r.decidedByEmail}, {formatDateTime(r.decidedAt)}
            </dd>
          </>
        )}
        {r.decisionNote && (
          <>
            <dt class="text-slate-600">Note</dt>
            <dd class="m-0 whitespace-pre-wrap">{r.decisionNote}</dd>
          </>
        )}
      </dl>
      <details open={r.status === 'pending'}>
        <summary class="cursor-pointer">The exact change</summary>
        <pre class="overflow-x-auto rounded bg-slate-50 p-2 text-xs">{json(r.change)}</pre>
      </details>
      {r.result !== null && r.result !== undefined && (
        <details>
          <summary class="cursor-pointer">Result</summary>
          <pre class="overflow-x-auto rounded bg-slate-50 p-2 text-xs">{json(r.result)}</pre>
        </details>
      )}
      {open && !mine && <DecisionForms request={r} />}
      {open && mine && (
        <>
          <p class="m-0 mt-3 text-slate-600">
            You asked for this: a second owner or admin must approve it.
          </p>
          <form method="post" action={`/approvals/${r.id}/cancellation`} class="mt-2">
            <Button kind="plain">Cancel this request</Button>
          </form>
        </>
      )}
    </article>
  )
}

const DecisionForms: FC<{ request: ApprovalRequest }> = ({ request: r }) => (
  <div class="mt-3 flex flex-wrap gap-6">
    <form method="post" action={`/approvals/${r.id}/approval`}>
      <label for={`note-approve-${r.id}`} class="mb-1 block font-medium text-slate-700">
        Note (optional)
      </label>
      <input
        id={`note-approve-${r.id}`}
        name="note"
        maxlength={500}
        class="mb-2 block w-64 rounded border border-slate-300 px-2 py-1"
      />
      <Button kind="danger">Approve and run</Button>
    </form>
    <form method="post" action={`/approvals/${r.id}/rejection`}>
      <label for={`note-reject-${r.id}`} class="mb-1 block font-medium text-slate-700">
        Why reject (optional)
      </label>
      <input
        id={`note-reject-${r.id}`}
        name="note"
        maxlength={500}
        class="mb-2 block w-64 rounded border border-slate-300 px-2 py-1"
      />
      <Button kind="plain">Reject</Button>
    </form>
  </div>
)

/** /approvals: pending first (oldest leads, it expires first), then the latest 50 past. */
export const ApprovalsPage: FC<ApprovalsPageProps> = (p) => (
  <>
    <h1 class="m-0 mb-2 text-2xl font-semibold">Approvals</h1>
    <p class="m-0 mb-4 text-sm text-slate-600">
      Dual control: the actions chosen in{' '}
      <a href="/settings/approvals" class="text-violet-700 underline">
        approval settings
      </a>{' '}
      wait here until an owner or admin other than the requester approves them, within 24 hours.
    </p>
    <Section id="pending" title={`Pending (${p.pending.length})`}>
      {p.pending.length === 0 ? (
        <p class="m-0 text-sm text-slate-600">Nothing is waiting for approval.</p>
      ) : (
        p.pending.map((r) => <ApprovalCard request={r} viewer={p.viewer} now={p.now} />)
      )}
    </Section>
    <Section id="past" title="Past requests">
      {p.past.length === 0 ? (
        <p class="m-0 text-sm text-slate-600">No decided requests yet.</p>
      ) : (
        p.past.map((r) => <ApprovalCard request={r} viewer={p.viewer} now={p.now} />)
      )}
    </Section>
  </>
)

/** /approvals/:id: one request, where a request's flash lands. */
export const ApprovalPage: FC<{ request: ApprovalRequest; viewer: SuperAdmin; now: Date }> = (
  p,
) => (
  <>
    <BackLink href="/approvals">Approvals</BackLink>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Approval request</h1>
    <ApprovalCard {...p} headingLevel={2} />
  </>
)
