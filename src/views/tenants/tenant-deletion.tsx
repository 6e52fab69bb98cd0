import type { FC } from 'hono/jsx'
import { roleCan } from '../../auth/permissions.js'
import type { SuperAdmin } from '../../db/super-admins.js'
import type { Tenant } from '../../db/tenants.js'
import { Button } from '../components/button.js'
import { Field } from '../components/field.js'
import { formatDateTime } from '../format.js'
import { deletionStatusText } from './deletion-status.js'
import { ApprovalReasonField, type ApprovalFieldProps } from '../approvals/reason-field.js'

// Deletion with a grace period on the tenant page (issue 11 item 6): the deleted banner with the
// purge date and Restore, the owner's protection toggle, and the Delete form (or why not).

export type TenantDeletionProps = {
  operator: SuperAdmin
  tenant: Tenant
  schemaName: string
  graceDays: number
  now: Date
  deleteError?: string
  /** Dual control (issue 14): set while deleting needs a second operator's approval. */
  deleteApproval?: ApprovalFieldProps
}

/** The protection toggle and the Delete form (or why Delete is not available). */
export const TenantDeletion: FC<TenantDeletionProps> = (p) => (
  <>
    <Protection {...p} />
    {p.tenant.status !== 'deleted' && roleCan(p.operator.role, 'saas.tenants.delete') && (
      <DeleteSection {...p} />
    )}
  </>
)

/** A deleted tenant's banner at the top of its page: purge date and Restore while in grace. */
export const TenantDeletedBanner: FC<Pick<TenantDeletionProps, 'tenant' | 'operator' | 'now'>> = ({
  tenant: t,
  operator,
  now,
}) => {
  if (t.status !== 'deleted') return null
  const inGrace = !!t.purgeAfter && t.purgeAfter.getTime() > now.getTime()
  return (
    <section
      id="tenant-deleted"
      aria-labelledby="tenant-deleted-title"
      class="mb-6 rounded border border-red-300 bg-red-50 p-5 text-sm text-red-900"
    >
      <h2 id="tenant-deleted-title" class="m-0 mb-2 text-base font-semibold">
        {deletionStatusText(t, now)}
      </h2>
      <p class="m-0 mb-2">
        Deleted {formatDateTime(t.deletedAt)}.{' '}
        {!t.purgeAfter
          ? 'Its schema, memberships and backups have been purged; it can no longer be restored.'
          : inGrace
            ? `Its schema, memberships and backups are kept until ${formatDateTime(t.purgeAfter)}, then purged.`
            : 'Its purge is due; it can no longer be restored.'}
        {t.protected &&
          inGrace &&
          ' It is protected: the purge waits until an owner unprotects it.'}
      </p>
      {inGrace && roleCan(operator.role, 'saas.tenants.delete') && (
        <a
          href={`/tenants/${t.id}/restoration/new`}
          class="rounded border border-slate-400 bg-white px-3 py-1.5 text-sm font-medium text-slate-900 no-underline hover:bg-slate-50"
        >
          Restore {t.slug}
        </a>
      )}
    </section>
  )
}

const Protection: FC<TenantDeletionProps> = ({ tenant: t, operator }) => {
  const purged = t.status === 'deleted' && !t.purgeAfter
  if (!t.protected && (purged || operator.role !== 'owner')) return null
  return (
    <section
      id="tenant-protection"
      aria-labelledby="protection-title"
      class="mb-6 rounded border border-slate-200 bg-white p-5 text-sm"
    >
      <h2 id="protection-title" class="m-0 mb-2 text-base font-semibold">
        {t.protected ? 'Protected' : 'Protection'}
      </h2>
      <p class="m-0 mb-3">
        {t.protected
          ? 'This tenant cannot be deleted, nor purged, until an owner unprotects it.'
          : 'A protected tenant cannot be deleted by anyone until an owner unprotects it.'}
      </p>
      {operator.role === 'owner' && (
        <form method="post" action={`/tenants/${t.id}/protection`}>
          {t.protected && <input type="hidden" name="_method" value="DELETE" />}
          <Button kind="plain">
            {t.protected ? 'Unprotect' : 'Protect'} {t.slug}
          </Button>
        </form>
      )}
    </section>
  )
}

const DeleteSection: FC<TenantDeletionProps> = ({
  tenant: t,
  schemaName,
  graceDays,
  deleteError,
  deleteApproval,
}) => (
  <section aria-labelledby="danger-title" class="mb-6 rounded border border-red-300 bg-red-50 p-5">
    <h2 id="danger-title" class="m-0 mb-2 text-base font-semibold text-red-900">
      Delete tenant
    </h2>
    {t.protected ? (
      <>
        <p id="delete-protected" class="m-0 text-sm text-red-900">
          Delete is not available: this tenant is protected. An owner must unprotect it first.
        </p>
        {deleteError && (
          <p role="alert" class="m-0 mt-2 text-sm font-medium text-red-900">
            {deleteError}
          </p>
        )}
      </>
    ) : (
      <>
        <p class="m-0 mb-3 text-sm text-red-900">
          Takes a backup, then marks the tenant deleted: its users lose access at once. The schema{' '}
          <code>{schemaName}</code>, its memberships and backups are kept for {graceDays} days, then
          purged; until then it can be restored. The row stays for the audit trail and its slug
          stays taken.
        </p>
        <form method="post" action={`/tenants/${t.id}`} class="max-w-md">
          <input type="hidden" name="_method" value="DELETE" />
          <Field
            name="confirmSlug"
            label={`Type ${t.slug} to confirm`}
            error={deleteError}
            autocomplete="off"
            required
          />
          {deleteApproval && <ApprovalReasonField {...deleteApproval} />}
          <Button kind="danger">
            {deleteApproval ? 'Request deletion' : 'Delete this tenant'}
          </Button>
        </form>
      </>
    )}
  </section>
)
