import type { FC } from 'hono/jsx'
import type { SuperAdminListItem } from '../../db/super-admins.js'

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

export const MfaState: FC<{ admin: Pick<SuperAdminListItem, 'mfaEnabled'> }> = ({ admin }) =>
  admin.mfaEnabled ? (
    <span class="text-emerald-800">enrolled</span>
  ) : (
    <span class="text-amber-800">not enrolled</span>
  )
