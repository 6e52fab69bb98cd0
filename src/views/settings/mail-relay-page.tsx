import type { FC } from 'hono/jsx'
import { RELAY_SECURITY, type RelaySecurity } from '../../db/mail-relay.js'
import type { MailRelayView } from '../../operators/mail-relay.js'
import { Button } from '../components/button.js'
import { BackLink, Section } from '../components/section.js'
import { Field } from '../components/field.js'

/** The relay form as typed: strings, so a refused form comes back exactly as it was sent. */
export type MailRelayValues = {
  host: string
  port: string
  security: string
  user: string
  from: string
  clearPassword: boolean
}
export type MailRelayErrors = Partial<
  Record<'host' | 'port' | 'security' | 'user' | 'password' | 'from', string>
>

/** The test-mail form: where to send, and the last attempt's refusal when it failed. */
export type TestMailState = { to: string; error?: string; failure?: string }

export type MailRelayPageProps = {
  relay: MailRelayView | undefined
  values: MailRelayValues
  errors: MailRelayErrors
  test: TestMailState
  /** Whether SMTP_URL is set: the page says which of the two mail uses. */
  smtpUrlSet: boolean
}

const SECURITY_LABELS: Record<RelaySecurity, string> = {
  starttls: 'STARTTLS required (usually port 587)',
  tls: 'TLS from the first byte (usually port 465)',
  none: 'None: plain text, only for a relay on this host or a private network',
}

/** The SaaS email relay (owners): where Fleetdeck's mail goes, and a test mail through it. */
export const MailRelayPage: FC<MailRelayPageProps> = (p) => (
  <>
    <BackLink href="/settings">Settings</BackLink>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Mail relay</h1>
    <p id="mail-route" class="m-0 mb-4 max-w-3xl text-sm text-slate-600">
      {p.relay ? (
        <>
          Every mail Fleetdeck sends (super-admin invitations, this page's test mail) goes through{' '}
          <strong>
            {p.relay.host}:{p.relay.port}
          </strong>
          {p.smtpUrlSet ? ', before SMTP_URL, which is ignored while a relay is saved.' : '.'}
        </>
      ) : p.smtpUrlSet ? (
        'No relay is saved: mail goes through SMTP_URL from the environment. A relay saved here takes precedence over it.'
      ) : (
        'No relay is saved and SMTP_URL is not set: mail is not sent but kept in the development outbox (Super admins → Outbox). Save a relay to send real mail.'
      )}
    </p>
    <Section id="relay" title="SMTP relay">
      <RelayForm {...p} />
    </Section>
    {p.relay && <TestMailSection test={p.test} />}
    {p.relay && (
      <Section id="relay-removal" title="Remove the relay">
        <p class="m-0 mb-3 text-sm text-slate-600">
          Mail then goes {p.smtpUrlSet ? 'through SMTP_URL again' : 'to the development outbox'}.
        </p>
        <form method="post" action="/settings/mail">
          <input type="hidden" name="_method" value="DELETE" />
          <Button kind="danger">Remove the relay</Button>
        </form>
      </Section>
    )}
  </>
)

const RelayForm: FC<MailRelayPageProps> = (p) => (
  <form id="relay-form" method="post" action="/settings/mail" class="max-w-xl">
    <Field
      name="host"
      label="Host"
      value={p.values.host}
      error={p.errors.host}
      autocomplete="off"
      hint="A host name or IP address, e.g. smtp.example.com."
      required
    />
    <Field
      name="port"
      label="Port"
      value={p.values.port}
      error={p.errors.port}
      inputmode="numeric"
      autocomplete="off"
      hint="1–65535: 587 for STARTTLS, 465 for TLS, 25 for a local relay."
      required
    />
    <div class="mb-4">
      <label for="field-security" class="block text-sm font-medium text-slate-700 mb-1">
        Connection security
      </label>
      <select
        id="field-security"
        name="security"
        aria-invalid={p.errors.security ? 'true' : undefined}
        aria-describedby={p.errors.security ? 'field-security-error' : undefined}
        class="w-full rounded border border-slate-300 px-3 py-2 text-sm"
      >
        {RELAY_SECURITY.map((s) => (
          <option value={s} selected={s === p.values.security}>
            {SECURITY_LABELS[s]}
          </option>
        ))}
      </select>
      {p.errors.security && (
        <p id="field-security-error" class="mt-1 text-sm text-red-700">
          {p.errors.security}
        </p>
      )}
    </div>
    <Field
      name="user"
      label="User"
      value={p.values.user}
      error={p.errors.user}
      autocomplete="off"
      hint="Leave empty when the relay takes mail without signing in."
    />
    <Field
      name="password"
      label="Password"
      type="password"
      error={p.errors.password}
      autocomplete="new-password"
      hint={
        p.relay?.hasPassword
          ? 'A password is saved (never shown). Leave blank to keep it.'
          : 'No password is saved.'
      }
    />
    {p.relay?.hasPassword && (
      <div class="mb-4 flex items-center gap-2 text-sm">
        <input
          id="field-clearPassword"
          type="checkbox"
          name="clearPassword"
          checked={p.values.clearPassword}
        />
        <label for="field-clearPassword">Clear the saved password</label>
      </div>
    )}
    <Field
      name="from"
      label="Sender (From)"
      value={p.values.from}
      error={p.errors.from}
      autocomplete="off"
      hint="An address the relay may send from, e.g. Fleetdeck <fleetdeck@example.com>."
      required
    />
    <Button>Save the relay</Button>
  </form>
)

const TestMailSection: FC<{ test: TestMailState }> = (p) => (
  <Section id="test-mail" title="Send a test email">
    <p class="m-0 mb-3 text-sm text-slate-600">
      Sends one short message through the saved relay (never SMTP_URL) and shows the server's
      answer.
    </p>
    {p.test.failure && (
      <div
        id="test-mail-failure"
        role="alert"
        class="mb-3 rounded border border-red-300 bg-red-50 p-3 text-sm text-red-900"
      >
        The relay did not take the test email: {p.test.failure}
      </div>
    )}
    <form id="test-mail-form" method="post" action="/settings/mail/test" class="max-w-xl">
      <Field
        name="to"
        label="Send to"
        type="email"
        value={p.test.to}
        error={p.test.error}
        autocomplete="email"
        required
      />
      <Button kind="plain">Send test email</Button>
    </form>
  </Section>
)
