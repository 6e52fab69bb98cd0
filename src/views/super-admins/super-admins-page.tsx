import type { FC } from 'hono/jsx'
import type { SuperAdminListItem } from '../../db/super-admins.js'
import { ButtonLink } from '../components/button.js'
import { formatDateTime } from '../format.js'
import { MfaState, StatusBadges } from './super-admin-badges.js'

export const SuperAdminTable: FC<{ items: SuperAdminListItem[]; currentId: string }> = ({
  items,
  currentId,
}) => (
  <div id="super-admin-table" class="overflow-x-auto rounded border border-slate-200 bg-white">
    <table class="w-full text-sm" data-keyboard-table>
      <thead class="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
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
              {a.id === currentId && <span class="ml-1 text-xs text-slate-600">(you)</span>}
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

/** Every super admin; the outbox link while mail is not sent (no SMTP_URL). */
export const SuperAdminsPage: FC<{
  items: SuperAdminListItem[]
  currentId: string
  smtpConfigured: boolean
}> = (p) => (
  <>
    <div class="mb-4 flex items-center justify-between gap-4">
      <h1 class="m-0 text-2xl font-semibold">Super admins</h1>
      <span class="flex items-center gap-4">
        {!p.smtpConfigured && (
          <a href="/super-admins/outbox" class="text-sm text-amber-800 underline">
            Development outbox (mail is not sent)
          </a>
        )}
        <ButtonLink href="/super-admins/new" accesskey="n">
          Invite super admin
        </ButtonLink>
      </span>
    </div>
    <SuperAdminTable items={p.items} currentId={p.currentId} />
  </>
)
