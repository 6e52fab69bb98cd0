import type { FC } from 'hono/jsx'
import type { ListedBackup } from '../../db/backup-overview.js'
import { Button } from '../components/button.js'
import { Section } from '../components/section.js'
import { formatAge, formatBytes, formatDateTime } from '../format.js'

// The tenant page's Backups section (issue 11 item 5): the tenant's backups with size and age,
// "Back up now", and per backup the two restores — into this tenant (when it may be replaced)
// or into a new tenant. Both restores open a confirm page that asks for the typed slug.

export type TenantBackupsProps = {
  tenantId: string
  slug: string
  backups: ListedBackup[]
  /** saas.fleet.run: may take a backup now. */
  canBackUp: boolean
  /** saas.tenants.delete (owner, admin): may restore; restoring replaces or copies data. */
  canRestore: boolean
  /** Why this tenant may not be restored into now (undefined: it may). */
  restoreBlocker: string | undefined
  now: Date
}

export const REASON_LABELS: Record<string, string> = {
  manual: 'Manual',
  scheduled: 'Nightly',
  pre_delete: 'Before deletion',
  pre_restore: 'Before a restore',
}

export const TenantBackups: FC<TenantBackupsProps> = (p) => (
  <Section id="backups" title={`Backups (${p.backups.length})`}>
    {p.backups.length === 0 ? (
      <p class="m-0 mb-3 text-sm text-slate-700">This tenant has no backups yet.</p>
    ) : (
      <table class="mb-3 w-full text-sm">
        <thead>
          <tr class="text-left text-slate-600">
            <th scope="col">Created</th>
            <th scope="col">Reason</th>
            <th scope="col">Size</th>
            <th scope="col">Checksum</th>
            <th scope="col">By</th>
            {p.canRestore && <th scope="col">Restore</th>}
          </tr>
        </thead>
        <tbody>
          {p.backups.map((b) => (
            <BackupRow {...p} backup={b} />
          ))}
        </tbody>
      </table>
    )}
    {p.canRestore && p.restoreBlocker && (
      <p class="m-0 mb-3 text-sm text-slate-700">
        Restoring into {p.slug} is not possible now: {p.restoreBlocker}. A backup can still be
        restored into a new tenant.
      </p>
    )}
    {p.canBackUp && (
      <form method="post" action={`/tenants/${p.tenantId}/backups`}>
        <Button kind="plain">Back up now</Button>
      </form>
    )}
  </Section>
)

const BackupRow: FC<TenantBackupsProps & { backup: ListedBackup }> = (p) => {
  const b = p.backup
  const base = `/tenants/${p.tenantId}/backups/${b.id}/restoration`
  return (
    <tr id={`backup-${b.id}`}>
      <td>
        <time datetime={b.createdAt.toISOString()}>{formatDateTime(b.createdAt)}</time> (
        {formatAge(b.createdAt, p.now)})
      </td>
      <td>{REASON_LABELS[b.reason] ?? b.reason}</td>
      <td>{formatBytes(b.sizeBytes)}</td>
      <td>
        <code title={b.sha256}>{b.sha256.slice(0, 12)}</code>
      </td>
      <td>{b.createdByEmail ?? 'scheduler'}</td>
      {p.canRestore && (
        <td class="space-x-3">
          {!p.restoreBlocker && (
            <a href={base} class="text-violet-700 underline">
              Restore into {p.slug}
            </a>
          )}
          <a href={`/fleet/backups/${b.id}/tenant`} class="text-violet-700 underline">
            Restore as new tenant
          </a>
        </td>
      )}
    </tr>
  )
}
