import type { FC } from 'hono/jsx'
import { Button } from '../components/button.js'
import { Section } from '../components/section.js'
import { AllowlistForm } from '../security/security-fragments.js'

export type SecuritySettingsProps = {
  allowlist: string[]
  error?: string
  yourIp: string | null
  sessions: number
}

/** Cluster security (owners): the global IP allowlist and "sign everyone out". */
export const SecuritySettingsPage: FC<SecuritySettingsProps> = (p) => (
  <>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Security settings</h1>
    <Section id="global-allowlist" title="Global IP allowlist">
      <p class="m-0 mb-3 text-sm text-slate-600">
        Checked before anything else on every page, sign-in included. Health probes and static files
        stay open.
      </p>
      <AllowlistForm
        action="/settings/security"
        label="Addresses allowed to reach Fleetdeck"
        entries={p.allowlist}
        error={p.error}
        yourIp={p.yourIp}
        hint="One address or CIDR range per line; empty means any address."
      />
    </Section>
    <section
      aria-labelledby="everyone-title"
      class="mb-6 rounded border border-red-300 bg-red-50 p-5"
    >
      <h2 id="everyone-title" class="m-0 mb-2 text-base font-semibold text-red-900">
        Sign everyone out
      </h2>
      <p class="m-0 mb-3 text-sm text-red-900">
        Ends <strong id="session-count">{p.sessions}</strong> session{p.sessions === 1 ? '' : 's'}{' '}
        of every super admin at once, yours included. Use it when a laptop is lost or a secret may
        have leaked; everyone signs in again with password and TOTP.
      </p>
      <form method="post" action="/settings/security/sessions">
        <input type="hidden" name="_method" value="DELETE" />
        <Button kind="danger">Sign everyone out ({p.sessions})</Button>
      </form>
    </section>
  </>
)
