import type { FC } from 'hono/jsx'
import type { UserStatus } from '../../db/users.js'

const USER_STATUS_STYLES: Record<UserStatus, string> = {
  invited: 'bg-sky-100 text-sky-800',
  active: 'bg-emerald-100 text-emerald-800',
  disabled: 'bg-slate-200 text-slate-700',
}

export const UserStatusBadge: FC<{ status: UserStatus }> = ({ status }) => (
  <span
    class={`inline-block rounded px-2 py-0.5 text-xs font-medium ${USER_STATUS_STYLES[status]}`}
  >
    {status}
  </span>
)
