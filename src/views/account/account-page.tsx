import type { FC } from 'hono/jsx'
import type { Session } from '../../auth/session.js'
import { Section } from '../components/section.js'
import {
  AllowlistForm,
  SessionTable,
  SignInHistory,
  type SignInRow,
} from '../security/security-fragments.js'

export type AccountPageProps = {
  sessions: Session[]
  currentSessionId: string
  allowlist: string[]
  allowlistError?: string
  yourIp: string | null
  history: SignInRow[]
  now: Date
}

/** The signed-in operator's own sessions, personal allowlist and sign-in history. */
export const AccountPage: FC<AccountPageProps> = (p) => (
  <>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Your account</h1>
    <Section id="sessions" title={`Active sessions (${p.sessions.length})`}>
      <SessionTable
        sessions={p.sessions}
        currentId={p.currentSessionId}
        endAction={(s) => `/account/sessions/${s.id}`}
        now={p.now}
      />
      {p.sessions.length > 1 && (
        <form method="post" action="/account/sessions" class="mt-3">
          <input type="hidden" name="_method" value="DELETE" />
          <button
            type="submit"
            class="rounded border border-red-400 bg-white px-3 py-1.5 text-sm text-red-800 cursor-pointer"
          >
            End all other sessions
          </button>
        </form>
      )}
    </Section>
    <Section id="allowlist" title="Your IP allowlist">
      <AllowlistForm
        action="/account/allowlist"
        label="Addresses you may sign in from"
        entries={p.allowlist}
        error={p.allowlistError}
        yourIp={p.yourIp}
        hint="One address or CIDR range per line; empty means any address (the global allowlist still applies)."
      />
    </Section>
    <Section id="api-tokens" title="API tokens">
      <p class="m-0 text-sm text-slate-700">
        Scripts call the REST API at <code>/api/v1</code> with an API token that carries part of
        your permissions and expires within a year.{' '}
        <a href="/account/tokens" class="text-violet-700 underline">
          Manage your API tokens
        </a>
      </p>
    </Section>
    <Section id="history" title="Sign-in history">
      <SignInHistory rows={p.history} />
    </Section>
  </>
)
