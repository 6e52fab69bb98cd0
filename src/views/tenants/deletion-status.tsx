import type { FC } from 'hono/jsx'
import type { Tenant } from '../../db/tenants.js'

// How a deleted tenant's state reads in the tenants list and on its page (issue 11 item 6).

const DAY_MS = 86_400_000

/** "deleted — purges in 9 days" / "deleted — purge due" / "purged" for a deleted tenant. */
export function deletionStatusText(t: Pick<Tenant, 'status' | 'purgeAfter'>, now: Date): string {
  if (t.status !== 'deleted') return t.status
  if (!t.purgeAfter) return 'purged'
  const days = Math.ceil((t.purgeAfter.getTime() - now.getTime()) / DAY_MS)
  if (days <= 0) return 'deleted — purge due'
  return `deleted — purges in ${days} day${days === 1 ? '' : 's'}`
}

/** The list's note beside a deleted tenant's status badge. */
export const DeletionNote: FC<{ tenant: Pick<Tenant, 'status' | 'purgeAfter'>; now: Date }> = (
  p,
) =>
  p.tenant.status === 'deleted' ? (
    <span class="block text-xs text-slate-600">{deletionStatusText(p.tenant, p.now)}</span>
  ) : null
