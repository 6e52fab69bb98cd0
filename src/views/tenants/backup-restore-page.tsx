import type { FC } from 'hono/jsx'
import type { TenantBackup } from '../../db/tenant-backups.js'
import type { Tenant } from '../../db/tenants.js'
import { Button } from '../components/button.js'
import { Field } from '../components/field.js'
import { BackLink } from '../components/section.js'
import { formatBytes, formatDateTime } from '../format.js'
import { REASON_LABELS } from './tenant-backups.js'

// Confirm page of a restore into the tenant's own schema (issue 11 item 5): what will be
// replaced, the typed slug, and — when the tenant may not be restored now — why not, no form.

export type BackupRestorePageProps = {
  tenant: Tenant
  backup: TenantBackup
  /** Why the restore is not possible now; undefined shows the form. */
  blocker: string | undefined
  error?: string
}

export const BackupRestorePage: FC<BackupRestorePageProps> = ({ tenant, backup, ...p }) => (
  <>
    <BackLink href={`/tenants/${tenant.id}#backups`}>{tenant.name}</BackLink>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Restore {tenant.slug} from a backup</h1>
    <p class="m-0 mb-2 text-sm">
      Backup of {formatDateTime(backup.createdAt)} ({REASON_LABELS[backup.reason] ?? backup.reason},{' '}
      {formatBytes(backup.sizeBytes)}, checksum <code>{backup.sha256.slice(0, 12)}</code>).
    </p>
    {p.blocker ? (
      <p class="m-0 text-sm text-red-800">This tenant cannot be restored now: {p.blocker}.</p>
    ) : (
      <form
        method="post"
        action={`/tenants/${tenant.id}/backups/${backup.id}/restoration`}
        class="max-w-xl rounded border border-red-300 bg-red-50 p-5"
      >
        <p class="m-0 mb-3 text-sm text-red-900">
          Replaces everything in the schema <code>{backup.schemaName}</code> with the backup’s
          contents. A backup of the current contents is taken first (kept as “Before a restore”).
        </p>
        <Field
          name="confirmSlug"
          label={`Type ${tenant.slug} to confirm`}
          error={p.error}
          autocomplete="off"
          required
        />
        <Button kind="danger">Restore this backup into {tenant.slug}</Button>
      </form>
    )}
  </>
)
