import type { FC } from 'hono/jsx'
import type { Tenant } from '../../db/tenants.js'
import { Button } from '../components/button.js'
import { formatDateTime } from '../format.js'

/**
 * The confirmation step of a restore from deletion (issue 11 item 6): what comes back and in
 * which state, the button that does it, and the way back.
 */
export const RestoreConfirmPage: FC<{ tenant: Tenant }> = ({ tenant: t }) => (
  <>
    <p class="m-0 mb-2 text-sm">
      <a href={`/tenants/${t.id}`} class="text-violet-700 underline">
        ← {t.name}
      </a>
    </p>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Restore {t.name}?</h1>
    <div class="max-w-xl rounded border border-slate-300 bg-white p-6">
      <p class="m-0 mb-4 text-sm text-slate-800">
        {t.slug} was deleted {formatDateTime(t.deletedAt)} and would be purged{' '}
        {formatDateTime(t.purgeAfter)}. Restoring brings it back <strong>suspended</strong>, with
        its schema, data and memberships as they were: activate it when its users may sign in again.
        The restore is written to the audit log.
      </p>
      <div class="flex items-center gap-4">
        <form method="post" action={`/tenants/${t.id}/restoration`} class="inline">
          <Button>Restore {t.slug}</Button>
        </form>
        <a href={`/tenants/${t.id}`} class="text-sm text-violet-700 underline">
          Cancel
        </a>
      </div>
    </div>
  </>
)
