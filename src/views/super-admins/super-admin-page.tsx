import type { Child, FC } from 'hono/jsx'
import type { Session } from '../../auth/session.js'
import type { SuperAdmin } from '../../db/super-admins.js'
import { Button } from '../components/button.js'
import { Section } from '../components/section.js'
import { formatDateTime } from '../format.js'
import { SessionTable, SignInHistory, type SignInRow } from '../security/security-fragments.js'
import { RoleSelect } from './role-select.js'
import { ApprovalReasonField, type ApprovalFieldProps } from '../approvals/reason-field.js'
import { MfaState, StatusBadges } from './super-admin-badges.js'

const link = 'text-violet-700 underline'

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
  /** Why the SSO-only change was refused (422). */
  ssoOnlyError?: string
  /** Dual control (issue 14): the TOTP reset's reason field while it needs approval. */
  totpResetApproval?: ApprovalFieldProps
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
        <span class="text-slate-600">{t.email}</span>
        <StatusBadges admin={{ ...t, invitationPending: t.passwordHash === null }} />
        {isSelf && <span class="text-xs text-slate-600">(you)</span>}
      </div>
      <div class="grid gap-6 lg:grid-cols-2">
        <Section id="overview" title="Overview">
          <dl class="m-0 grid grid-cols-[9rem_1fr] gap-y-1 text-sm">
            <dt class="text-slate-600">Role</dt>
            <dd class="m-0">{t.role}</dd>
            <dt class="text-slate-600">MFA</dt>
            <dd class="m-0">
              <MfaState admin={t} />
            </dd>
            <dt class="text-slate-600">Sign-in</dt>
            <dd class="m-0">{t.ssoOnly ? 'SSO only' : 'Password or SSO'}</dd>
            <dt class="text-slate-600">Last sign-in</dt>
            <dd class="m-0">{formatDateTime(t.lastLoginAt)}</dd>
            <dt class="text-slate-600">Invited by</dt>
            <dd class="m-0">
              {p.invitedBy ? (
                <a href={`/super-admins/${p.invitedBy.id}`} class={link}>
                  {p.invitedBy.email}
                </a>
              ) : (
                '—'
              )}
            </dd>
            <dt class="text-slate-600">Created</dt>
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
          <SsoOnlyForm target={t} error={p.ssoOnlyError} />
          {t.mfaEnabled && <TotpReset target={t} isSelf={isSelf} />}
          {t.mfaEnabled && <TotpReset target={t} isSelf={isSelf} approval={p.totpResetApproval} />}
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

/** SSO-only: a password is refused; TOTP is still asked after the identity provider. */
const SsoOnlyForm: FC<{ target: SuperAdmin; error?: string }> = ({ target, error }) => (
  <form
    id="sso-only-form"
    method="post"
    action={`/super-admins/${target.id}/sso-only`}
    class="mt-4 border-t border-slate-100 pt-4"
  >
    <div class="mb-2 flex items-center gap-2 text-sm">
      <input
        type="checkbox"
        id="sso-only"
        name="sso_only"
        checked={target.ssoOnly}
        aria-describedby={error ? 'sso-only-error sso-only-hint' : 'sso-only-hint'}
        aria-invalid={error ? 'true' : undefined}
      />
      <label for="sso-only">Sign in through SSO only</label>
    </div>
    <p id="sso-only-hint" class="m-0 mb-2 text-sm text-slate-600">
      Their password is refused; they use a “Continue with …” button and still enter their TOTP
      code.
    </p>
    {error && (
      <p id="sso-only-error" role="alert" class="m-0 mb-2 text-sm text-red-700">
        {error}
      </p>
    )}
    <Button kind="plain">Save sign-in method</Button>
  </form>
)

/** Another admin resets it; nobody resets their own (issue #3). */
const TotpReset: FC<{ target: SuperAdmin; isSelf: boolean; approval?: ApprovalFieldProps }> = ({
  target,
  isSelf,
  approval,
}) => (
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
        {approval && <ApprovalReasonField {...approval} />}
        <Button kind="danger">{approval ? 'Request TOTP reset' : 'Reset TOTP'}</Button>
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
      <p class="m-0 text-sm text-slate-600">No active sessions.</p>
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
