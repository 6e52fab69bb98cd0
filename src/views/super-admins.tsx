import type { Child, FC } from 'hono/jsx'
import type { Session } from '../auth/session.js'
import type { OperatorRole } from '../db/schema.js'
import type { SuperAdmin, SuperAdminListItem } from '../db/super-admins.js'
import type { OutboxMail } from '../mail/mailer.js'
import { formatDateTime } from './format.js'
import { Button, Field } from './layout.js'
import { SessionTable, SignInHistory, type SignInRow } from './security.js'

/** The roles an inviter can choose, most powerful first, with what each may do (DESIGN.md §2). */
export const ROLE_CHOICES: { role: OperatorRole; can: string }[] = [
  { role: 'owner', can: 'everything, including super admins and cluster settings' },
  { role: 'admin', can: 'create, edit, suspend and delete tenants' },
  { role: 'operator', can: 'read everything; suspend and activate tenants' },
  { role: 'support', can: 'read everything' },
  { role: 'viewer', can: 'read everything' },
]

const link = 'text-violet-700 underline'
const badge = 'inline-block rounded px-2 py-0.5 text-xs font-medium'

export const StatusBadges: FC<{
  admin: Pick<SuperAdminListItem, 'isActive' | 'mfaEnabled' | 'invitationPending'>
}> = ({ admin }) => (
  <>
    {admin.isActive ? (
      <span class={`${badge} bg-emerald-100 text-emerald-800`}>active</span>
    ) : (
      <span class={`${badge} bg-slate-200 text-slate-700`}>deactivated</span>
    )}
    {admin.invitationPending && (
      <span class={`${badge} ml-1 bg-sky-100 text-sky-800`}>invitation pending</span>
    )}
  </>
)

const MfaState: FC<{ admin: Pick<SuperAdminListItem, 'mfaEnabled'> }> = ({ admin }) =>
  admin.mfaEnabled ? (
    <span class="text-emerald-800">enrolled</span>
  ) : (
    <span class="text-amber-800">not enrolled</span>
  )

export const SuperAdminTable: FC<{ items: SuperAdminListItem[]; currentId: string }> = ({
  items,
  currentId,
}) => (
  <div id="super-admin-table" class="overflow-x-auto rounded border border-slate-200 bg-white">
    <table class="w-full text-sm" data-keyboard-table>
      <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
        <tr>
          {['Email', 'Name', 'Role', 'Active', 'MFA', 'Last sign-in', 'Invited by'].map((h) => (
            <th scope="col" class="px-3 py-2">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {items.map((a) => (
          <tr
            id={`super-admin-${a.id}`}
            class="border-t border-slate-100 hover:bg-violet-50"
            data-href={`/super-admins/${a.id}`}
            tabindex={-1}
          >
            <td class="px-3 py-2">
              <a href={`/super-admins/${a.id}`} class="text-violet-800 underline">
                {a.email}
              </a>
              {a.id === currentId && <span class="ml-1 text-xs text-slate-500">(you)</span>}
            </td>
            <td class="px-3 py-2">{a.name}</td>
            <td class="px-3 py-2">{a.role}</td>
            <td class="px-3 py-2">
              <StatusBadges admin={a} />
            </td>
            <td class="px-3 py-2">
              <MfaState admin={a} />
            </td>
            <td class="px-3 py-2 whitespace-nowrap">{formatDateTime(a.lastLoginAt)}</td>
            <td class="px-3 py-2">{a.invitedBy?.email ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
)

export type InviteValues = { email: string; name: string; role: string }

export const RoleSelect: FC<{ value?: string; error?: string }> = (p) => (
  <div class="mb-4">
    <label for="field-role" class="block text-sm font-medium text-slate-700 mb-1">
      Role
    </label>
    <select
      id="field-role"
      name="role"
      aria-invalid={p.error ? 'true' : undefined}
      aria-describedby={p.error ? 'field-role-error' : undefined}
      class="w-full rounded border border-slate-300 px-3 py-2 text-sm"
    >
      {ROLE_CHOICES.map((choice) => (
        <option value={choice.role} selected={choice.role === p.value}>
          {choice.role} — {choice.can}
        </option>
      ))}
    </select>
    {p.error && (
      <p id="field-role-error" role="alert" class="mt-1 text-sm text-red-700">
        {p.error}
      </p>
    )}
  </div>
)

export const InviteForm: FC<{
  values: Partial<InviteValues>
  errors: Partial<Record<keyof InviteValues, string>>
}> = ({ values, errors }) => (
  <form
    id="invite-form"
    method="post"
    action="/super-admins"
    class="max-w-xl rounded border border-slate-200 bg-white p-6"
  >
    <Field
      name="email"
      label="Email"
      type="email"
      value={values.email}
      error={errors.email}
      autocomplete="off"
      required
      autofocus
    />
    <Field
      name="name"
      label="Name"
      value={values.name}
      error={errors.name}
      autocomplete="off"
      required
    />
    <RoleSelect value={values.role ?? 'viewer'} error={errors.role} />
    <p class="mb-4 text-xs text-slate-500">
      The link in the email works once and for 72 hours. The new admin sets a password and enrols an
      authenticator app before anything else.
    </p>
    <Button>Send invitation</Button>
  </form>
)

const Section: FC<{ id: string; title: string; children: Child }> = (p) => (
  <section
    id={p.id}
    aria-labelledby={`${p.id}-title`}
    class="mb-6 rounded border border-slate-200 bg-white p-5"
  >
    <h2 id={`${p.id}-title`} class="m-0 mb-3 text-base font-semibold">
      {p.title}
    </h2>
    {p.children}
  </section>
)

export type SuperAdminPageProps = {
  viewer: SuperAdmin
  target: SuperAdmin
  invitedBy: { id: string; email: string } | undefined
  sessions: Session[]
  currentSessionId: string
  attempts: SignInRow[]
  now: Date
  roleValue?: string
  roleError?: string
  activationError?: string
}

/** One admin: details, role, activation, TOTP reset, sessions and sign-in history. */
export const SuperAdminPage: FC<SuperAdminPageProps> = (p) => {
  const t = p.target
  const base = `/super-admins/${t.id}`
  const isSelf = t.id === p.viewer.id
  return (
    <div>
      <p class="m-0 mb-2 text-sm">
        <a href="/super-admins" class={link}>
          ← Super admins
        </a>
      </p>
      <div class="mb-6 flex flex-wrap items-center gap-3">
        <h1 class="m-0 text-2xl font-semibold">{t.name}</h1>
        <span class="text-slate-500">{t.email}</span>
        <StatusBadges admin={{ ...t, invitationPending: t.passwordHash === null }} />
        {isSelf && <span class="text-xs text-slate-500">(you)</span>}
      </div>
      <div class="grid gap-6 lg:grid-cols-2">
        <Section id="overview" title="Overview">
          <dl class="m-0 grid grid-cols-[9rem_1fr] gap-y-1 text-sm">
            <dt class="text-slate-500">Role</dt>
            <dd class="m-0">{t.role}</dd>
            <dt class="text-slate-500">MFA</dt>
            <dd class="m-0">
              <MfaState admin={t} />
            </dd>
            <dt class="text-slate-500">Last sign-in</dt>
            <dd class="m-0">{formatDateTime(t.lastLoginAt)}</dd>
            <dt class="text-slate-500">Invited by</dt>
            <dd class="m-0">
              {p.invitedBy ? (
                <a href={`/super-admins/${p.invitedBy.id}`} class={link}>
                  {p.invitedBy.email}
                </a>
              ) : (
                '—'
              )}
            </dd>
            <dt class="text-slate-500">Created</dt>
            <dd class="m-0">{formatDateTime(t.createdAt)}</dd>
          </dl>
          {t.passwordHash === null && t.isActive && (
            <form method="post" action={`${base}/invitation`} class="mt-4">
              <p class="m-0 mb-2 text-sm text-slate-600">
                The invitation has not been accepted. A new link replaces the old one and is valid
                for 72 hours.
              </p>
              <Button kind="plain">Send a new invitation link</Button>
            </form>
          )}
        </Section>
        <Section id="access" title="Role and access">
          <form id="role-form" method="post" action={base}>
            <RoleSelect value={p.roleValue ?? t.role} error={p.roleError} />
            <Button kind="plain">Change role</Button>
          </form>
          <ActivationForm target={t} error={p.activationError} />
          {t.mfaEnabled && <TotpReset target={t} isSelf={isSelf} />}
        </Section>
      </div>
      <SessionsSection
        base={base}
        sessions={p.sessions}
        currentSessionId={p.currentSessionId}
        now={p.now}
      />
      <Section id="sign-in-history" title="Sign-in history (latest 50)">
        <SignInHistory rows={p.attempts} />
      </Section>
    </div>
  )
}

const ActivationForm: FC<{ target: SuperAdmin; error?: string }> = ({ target, error }) => (
  <form
    id="activation-form"
    method="post"
    action={`/super-admins/${target.id}/deactivation`}
    class="mt-4 border-t border-slate-100 pt-4"
  >
    {target.isActive ? (
      <>
        <p class="m-0 mb-2 text-sm text-slate-600">
          Deactivating ends every session of this admin at once; they can no longer sign in.
        </p>
        <Button kind="danger">Deactivate</Button>
      </>
    ) : (
      <>
        <input type="hidden" name="_method" value="DELETE" />
        <p class="m-0 mb-2 text-sm text-slate-600">This admin is deactivated and cannot sign in.</p>
        <Button kind="plain">Reactivate</Button>
      </>
    )}
    {error && (
      <p role="alert" class="mt-2 text-sm text-red-700">
        {error}
      </p>
    )}
  </form>
)

/** Another admin resets it; nobody resets their own (issue #3). */
const TotpReset: FC<{ target: SuperAdmin; isSelf: boolean }> = ({ target, isSelf }) => (
  <div id="totp-reset" class="mt-4 border-t border-slate-100 pt-4">
    {isSelf ? (
      <p class="m-0 text-sm text-slate-600">
        Lost your authenticator? Another super admin with this permission must reset your TOTP.
      </p>
    ) : (
      <form method="post" action={`/super-admins/${target.id}/totp`}>
        <input type="hidden" name="_method" value="DELETE" />
        <p class="m-0 mb-2 text-sm text-slate-600">
          Resetting TOTP ends this admin’s sessions; they enrol a new authenticator at their next
          sign-in.
        </p>
        <Button kind="danger">Reset TOTP</Button>
      </form>
    )}
  </div>
)

const SessionsSection: FC<{
  base: string
  sessions: Session[]
  currentSessionId: string
  now: Date
}> = (p) => (
  <Section id="sessions" title={`Active sessions (${p.sessions.length})`}>
    {p.sessions.length === 0 ? (
      <p class="m-0 text-sm text-slate-500">No active sessions.</p>
    ) : (
      <>
        <SessionTable
          sessions={p.sessions}
          currentId={p.currentSessionId}
          endAction={(s) => `${p.base}/sessions/${s.id}`}
          now={p.now}
        />
        <form method="post" action={`${p.base}/sessions`} class="mt-3">
          <input type="hidden" name="_method" value="DELETE" />
          <Button kind="danger">End all sessions</Button>
        </form>
      </>
    )}
  </Section>
)

/** The development outbox: what would have been emailed, marked so nobody mistakes it for mail sent. */
export const Outbox: FC<{ mails: OutboxMail[]; smtpConfigured: boolean }> = ({
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
        ? 'SMTP_URL is set: new mail is sent over SMTP. These messages were written here before, when it was not set.'
        : 'Development outbox — mail is not being sent. SMTP_URL is not set, so invitations are written here instead of emailed. Pass the link to the invitee yourself.'}
    </div>
    {mails.length === 0 && <p class="text-sm text-slate-500">The outbox is empty.</p>}
    {mails.map((m) => (
      <article
        id={`mail-${m.id}`}
        aria-label={`Mail to ${m.to}`}
        class="mb-4 rounded border border-slate-200 bg-white p-4 text-sm"
      >
        <dl class="m-0 mb-2 grid grid-cols-[5rem_1fr] gap-y-1">
          <dt class="text-slate-500">Written</dt>
          <dd class="m-0">{formatDateTime(m.createdAt)}</dd>
          <dt class="text-slate-500">To</dt>
          <dd class="m-0">{m.to}</dd>
          <dt class="text-slate-500">Subject</dt>
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

/** The invitation email: who invited whom as what, the link, and until when it works. */
export function invitationMail(p: {
  to: string
  name: string
  role: OperatorRole
  inviter: { name: string; email: string }
  link: string
  expiresAt: Date
}) {
  return {
    to: p.to,
    subject: 'Your invitation to Fleetdeck',
    text: [
      `Hello ${p.name},`,
      '',
      `${p.inviter.name} (${p.inviter.email}) invited you to Fleetdeck, the super-admin console, with the role ${p.role}.`,
      '',
      'Open this link to set your password, then enrol an authenticator app (required):',
      p.link,
      '',
      `The link works once and is valid for 72 hours, until ${formatDateTime(p.expiresAt)}.`,
      'If you did not expect this invitation, ignore this email.',
    ].join('\n'),
  }
}
