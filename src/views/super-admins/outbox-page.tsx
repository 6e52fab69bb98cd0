import type { Child, FC } from 'hono/jsx'
import type { OutboxMail } from '../../mail/mailer.js'
import { formatDateTime } from '../format.js'

const link = 'text-violet-700 underline'

/** The development outbox: what would have been emailed, marked so nobody mistakes it for mail sent. */
export const OutboxPage: FC<{ mails: OutboxMail[]; smtpConfigured: boolean }> = ({
  mails,
  smtpConfigured,
}) => (
  <div>
    <p class="m-0 mb-2 text-sm">
      <a href="/super-admins" class={link}>
        ← Super admins
      </a>
    </p>
    <h1 class="m-0 mb-2 text-2xl font-semibold">Development outbox</h1>
    <div
      role="note"
      class="mb-4 rounded border border-amber-400 bg-amber-50 px-4 py-3 text-sm text-amber-900"
    >
      {smtpConfigured
        ? 'A mail relay (Settings → Mail relay) or SMTP_URL is set: new mail is sent over SMTP. These messages were written here before, when neither was.'
        : 'Development outbox — mail is not being sent. Neither a mail relay (Settings → Mail relay) nor SMTP_URL is set, so invitations are written here instead of emailed. Pass the link to the invitee yourself.'}
    </div>
    {mails.length === 0 && <p class="text-sm text-slate-600">The outbox is empty.</p>}
    {mails.map((m) => (
      <article
        id={`mail-${m.id}`}
        aria-label={`Mail to ${m.to}`}
        class="mb-4 rounded border border-slate-200 bg-white p-4 text-sm"
      >
        <dl class="m-0 mb-2 grid grid-cols-[5rem_1fr] gap-y-1">
          <dt class="text-slate-600">Written</dt>
          <dd class="m-0">{formatDateTime(m.createdAt)}</dd>
          <dt class="text-slate-600">To</dt>
          <dd class="m-0">{m.to}</dd>
          <dt class="text-slate-600">Subject</dt>
          <dd class="m-0">{m.subject}</dd>
        </dl>
        <pre class="m-0 whitespace-pre-wrap rounded bg-slate-50 p-3 font-mono text-xs">
          {linkify(m.text)}
        </pre>
      </article>
    ))}
  </div>
)

/** http(s) URLs in a mail body as links; everything else stays escaped text. */
function linkify(text: string): Child[] {
  return text.split(/(https?:\/\/[^\s<>"]+)/).map((part, i) =>
    i % 2 === 1 ? (
      <a href={part} class={link}>
        {part}
      </a>
    ) : (
      part
    ),
  )
}
