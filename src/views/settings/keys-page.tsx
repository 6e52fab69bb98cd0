import type { FC } from 'hono/jsx'
import type { LiveImpersonationCounts } from '../../db/live-impersonations.js'
import { Button } from '../components/button.js'
import { BackLink, Section } from '../components/section.js'
import { formatAge, formatDateTime } from '../format.js'
import { ApprovalReasonField, type ApprovalFieldProps } from '../approvals/reason-field.js'

export type KeysPageProps = {
  signingKey: { kid: string; createdAt: Date } | undefined
  /** What rotating the signing key ends, counted now. */
  live: LiveImpersonationCounts
  /** How long the retired key stays in the JWKS, in minutes. */
  overlapMinutes: number
  /** Operator sessions the super-admin secret rotation ends, the viewer's included. */
  sessions: number
  cookieSecretCreatedAt: Date | undefined
  now: Date
  /** Dual control (issue 14): each form's reason field while rotating needs approval. */
  signingKeyApproval?: ApprovalFieldProps
  secretApproval?: ApprovalFieldProps
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** Key rotation (owners): the tenant signing key and the super-admin secret, each with its cost. */
export const KeysPage: FC<KeysPageProps> = (p) => (
  <>
    <BackLink href="/settings">Settings</BackLink>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Key rotation</h1>
    <SigningKeySection {...p} />
    <SuperAdminSecretSection {...p} />
  </>
)

const SigningKeySection: FC<KeysPageProps> = (p) => (
  <section
    id="signing-key"
    aria-labelledby="signing-key-title"
    class="mb-6 rounded border border-amber-300 bg-amber-50 p-5"
  >
    <h2 id="signing-key-title" class="m-0 mb-2 text-base font-semibold text-amber-950">
      Tenant signing key
    </h2>
    <p class="m-0 mb-2 text-sm text-amber-950">
      Signs the handoff that sends a support operator into a tenant app (View as); tenant apps check
      it against <code>/.well-known/jwks.json</code>.{' '}
      {p.signingKey ? (
        <>
          The active key <code>{p.signingKey.kid}</code> was created{' '}
          {formatAge(p.signingKey.createdAt, p.now)} ({formatDateTime(p.signingKey.createdAt)}).
        </>
      ) : (
        'No key exists yet: the first View as creates one.'
      )}
    </p>
    <p id="signing-key-impact" class="m-0 mb-3 text-sm text-amber-950">
      Rotating ends{' '}
      <strong id="live-impersonations">
        {plural(p.live.impersonations, 'active impersonation')}
      </strong>
      , <strong id="live-kit-sessions">{plural(p.live.kitSessions, 'kit session')}</strong> among
      them (a tenant app redeemed the handoff and holds a session, which it drops at its next
      check). The old key stays published for {p.overlapMinutes} minutes so handoffs in flight still
      verify; new ones are signed with the new key.
    </p>
    <form method="post" action="/settings/keys/signing-key">
      {/* The key this page showed: the rotation replaces that one only, never a newer one. */}
      <input type="hidden" name="kid" value={p.signingKey?.kid ?? ''} />
      <input type="hidden" name="shownImpersonations" value={String(p.live.impersonations)} />
      <input type="hidden" name="shownKitSessions" value={String(p.live.kitSessions)} />
      {p.signingKeyApproval && <ApprovalReasonField {...p.signingKeyApproval} idSuffix="-key" />}
      <Button kind="danger">
        {p.signingKeyApproval ? 'Request signing key rotation' : 'Rotate signing key'}
      </Button>
    </form>
  </section>
)

const SuperAdminSecretSection: FC<KeysPageProps> = (p) => (
  <Section
    id="super-admin-secret"
    title="Super-admin secret"
    class="mb-6 rounded border border-red-300 bg-red-50 p-5"
  >
    <p class="m-0 mb-2 text-sm text-red-900">
      Rotating it signs everyone out and replaces the secret that signs the console's cookies
      (customer picker, messages, forms kept across step-up), so no cookie issued before verifies
      after.{' '}
      {p.cookieSecretCreatedAt
        ? `The current secret was made ${formatAge(p.cookieSecretCreatedAt, p.now)}.`
        : 'No separate secret exists yet: cookies are signed with FLEETDECK_SECRET_KEY alone until the first rotation or start.'}
    </p>
    <p id="secret-impact" class="m-0 mb-3 text-sm text-red-900">
      Ends <strong id="secret-session-count">{plural(p.sessions, 'session')}</strong> of every super
      admin at once, yours included: everyone signs in again with password and TOTP.
      FLEETDECK_SECRET_KEY, which seals stored secrets, does not change.
    </p>
    <form method="post" action="/settings/keys/super-admin-secret">
      {p.secretApproval && <ApprovalReasonField {...p.secretApproval} idSuffix="-secret" />}
      <Button kind="danger">
        {p.secretApproval ? 'Request super-admin secret rotation' : 'Rotate super-admin secret'}
      </Button>
    </form>
  </Section>
)
