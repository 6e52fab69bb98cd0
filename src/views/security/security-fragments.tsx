import type { FC } from 'hono/jsx'
import type { Session } from '../../auth/session.js'
import type { SignInOutcome } from '../../db/schema.js'
import { formatAge, formatDateTime } from '../format.js'
import { Button } from '../components/button.js'

export type SignInRow = {
  at: Date
  ip: string | null
  userAgent: string | null
  outcome: SignInOutcome
}

/** A short, readable browser name from a user agent (display only). */
export function browserName(userAgent: string | null): string {
  if (!userAgent) return 'unknown'
  const match = /(Edg|Firefox|Chrome|Chromium|Safari|curl|HeadlessChrome)\/([\d.]+)/.exec(userAgent)
  const os = /(Windows|Mac OS X|Linux|Android|iPhone|iPad)/.exec(userAgent)?.[1]
  return match
    ? `${match[1]} ${match[2].split('.')[0]}${os ? ` on ${os}` : ''}`
    : userAgent.slice(0, 60)
}

export const SessionTable: FC<{
  sessions: Session[]
  currentId?: string
  endAction: (s: Session) => string
  now: Date
}> = (p) => (
  <table class="w-full text-sm">
    <thead class="text-left text-xs uppercase text-slate-600">
      <tr>
        <th scope="col" class="py-1">
          Browser
        </th>
        <th scope="col">Address</th>
        <th scope="col">Signed in</th>
        <th scope="col">Last seen</th>
        <th scope="col">
          <span class="sr-only">Actions</span>
        </th>
      </tr>
    </thead>
    <tbody>
      {p.sessions.map((s) => (
        <tr class="border-t border-slate-100">
          <td class="py-1">
            {browserName(s.userAgent)}
            {s.id === p.currentId && (
              <span class="ml-2 rounded bg-violet-100 px-1.5 text-xs text-violet-800">
                this session
              </span>
            )}
          </td>
          <td class="font-mono text-xs">{s.ip ?? '—'}</td>
          <td>{formatDateTime(s.createdAt)}</td>
          <td>{formatAge(s.lastActiveAt, p.now)}</td>
          <td class="text-right">
            {s.id !== p.currentId && (
              <form method="post" action={p.endAction(s)} class="inline">
                <input type="hidden" name="_method" value="DELETE" />
                <button
                  type="submit"
                  aria-label={`End session from ${s.ip ?? 'unknown address'}`}
                  class="rounded border border-slate-300 bg-white px-2 py-0.5 text-xs cursor-pointer"
                >
                  End
                </button>
              </form>
            )}
          </td>
        </tr>
      ))}
    </tbody>
  </table>
)

const OUTCOME_LABELS: Record<SignInOutcome, string> = {
  success: 'signed in',
  bad_password: 'wrong password',
  bad_totp: 'wrong code',
  totp_replayed: 'replayed code refused',
  locked: 'refused: locked',
  ip_refused: 'refused: address not allowed',
  rate_limited: 'refused: too many attempts',
}

export const SignInHistory: FC<{ rows: SignInRow[] }> = ({ rows }) =>
  rows.length === 0 ? (
    <p class="m-0 text-sm text-slate-600">No sign-in attempts yet.</p>
  ) : (
    <table class="w-full text-sm">
      <thead class="text-left text-xs uppercase text-slate-600">
        <tr>
          <th scope="col" class="py-1">
            Time
          </th>
          <th scope="col">Address</th>
          <th scope="col">Browser</th>
          <th scope="col">Outcome</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr class="border-t border-slate-100">
            <td class="py-1 whitespace-nowrap">{formatDateTime(r.at)}</td>
            <td class="font-mono text-xs">{r.ip ?? '—'}</td>
            <td>{browserName(r.userAgent)}</td>
            <td class={r.outcome === 'success' ? 'text-emerald-800' : 'text-red-800'}>
              {OUTCOME_LABELS[r.outcome] ?? r.outcome}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )

export const AllowlistForm: FC<{
  action: string
  entries: string[]
  label: string
  error?: string
  yourIp: string | null
  hint: string
}> = (p) => {
  const id = `allowlist-${p.action.replace(/\W+/g, '-')}`
  return (
    <form method="post" action={p.action} class="max-w-xl">
      <label for={id} class="block text-sm font-medium text-slate-700 mb-1">
        {p.label}
      </label>
      <textarea
        id={id}
        name="allowlist"
        rows={5}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={`${id}-help`}
        class={`w-full rounded border px-3 py-2 font-mono text-sm ${p.error ? 'border-red-500' : 'border-slate-300'}`}
      >
        {p.entries.join('\n')}
      </textarea>
      <p id={`${id}-help`} class={`mt-1 text-xs ${p.error ? 'text-red-700' : 'text-slate-600'}`}>
        {p.error ?? `${p.hint} Your address is ${p.yourIp ?? 'unknown'}.`}
      </p>
      <div class="mt-2">
        <Button>Save allowlist</Button>
      </div>
    </form>
  )
}
