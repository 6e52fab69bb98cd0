import type { FC } from 'hono/jsx'
import {
  STALE_BACKUP_MS,
  type LastBackupOverview,
  type TenantLastBackup,
} from '../../db/backup-overview.js'
import { Button } from '../components/button.js'
import { Section } from '../components/section.js'
import { formatAge, formatBytes, formatDateTime } from '../format.js'

// /fleet/backups (issue 11 item 5; seed 002 "backup-queue depth"): the 50 stalest live tenants'
// newest backups — never backed up, then the stalest first — and how many more there are,
// totals, the queue, and the fleet backup.

export { STALE_BACKUP_MS }

export type FleetBackupsPageProps = {
  /** The stalest tenants and the counts over all (listLastBackups). */
  tenants: LastBackupOverview
  totals: { count: number; bytes: number }
  queue: { pending: number; running: number }
  canRun: boolean
  canRestore: boolean
  now: Date
}

export const FleetBackupsPage: FC<FleetBackupsPageProps> = (p) => {
  const { shown, total, stale } = p.tenants
  return (
    <>
      <h1 class="m-0 mb-4 text-2xl font-semibold">Backups</h1>
      <Section id="backup-summary" title="Summary">
        <dl class="m-0 grid grid-cols-[14rem_1fr] gap-y-1 text-sm">
          <dt class="text-slate-600">Backups on disk</dt>
          <dd class="m-0">
            {p.totals.count} ({formatBytes(p.totals.bytes)})
          </dd>
          <dt class="text-slate-600">Never backed up or older than 2 days</dt>
          <dd class="m-0">
            {count(stale)} of {count(total)} tenants
          </dd>
          <dt class="text-slate-600">Backup queue</dt>
          <dd class="m-0" id="backup-queue">
            {p.queue.pending} waiting, {p.queue.running} running
          </dd>
        </dl>
        {p.canRun && (
          <form method="post" action="/fleet/backups" class="mt-4">
            <Button>Back up every tenant</Button>
          </form>
        )}
      </Section>
      <Section id="backup-tenants" title="Newest backup per tenant">
        <table class="w-full text-sm">
          <thead>
            <tr class="text-left text-slate-600">
              <th scope="col">Tenant</th>
              <th scope="col">Status</th>
              <th scope="col">Newest backup</th>
              <th scope="col">Size</th>
              {p.canRestore && <th scope="col">Restore</th>}
            </tr>
          </thead>
          <tbody>
            {shown.map((t) => (
              <TenantBackupRow tenant={t} now={p.now} canRestore={p.canRestore} />
            ))}
          </tbody>
        </table>
        <MoreTenants overview={p.tenants} />
      </Section>
    </>
  )
}

const count = (n: number) => n.toLocaleString('en-US')

/** What the list leaves out: the stale ones beyond it first, then those backed up recently. */
const MoreTenants: FC<{ overview: LastBackupOverview }> = ({ overview: o }) => {
  const more = o.total - o.shown.length
  if (more <= 0) return null
  const staleMore = Math.max(0, o.stale - o.shown.length)
  const fresh = more - staleMore
  const parts = [
    staleMore > 0 && `${count(staleMore)} more never backed up or older than 2 days`,
    fresh > 0 && `${count(fresh)}${staleMore > 0 ? '' : ' more'} tenants backed up within 2 days`,
  ].filter(Boolean)
  return (
    <p class="m-0 mt-2 text-sm text-slate-600" id="backup-tenants-more">
      {parts.join(', and ')}.
    </p>
  )
}

function isStale(t: TenantLastBackup, now: Date): boolean {
  return !t.lastBackupAt || now.getTime() - t.lastBackupAt.getTime() > STALE_BACKUP_MS
}

const TenantBackupRow: FC<{ tenant: TenantLastBackup; now: Date; canRestore: boolean }> = (p) => {
  const t = p.tenant
  return (
    <tr class={isStale(t, p.now) ? 'bg-amber-50' : undefined}>
      <td>
        <a href={`/tenants/${t.tenantId}#backups`} class="text-violet-700 underline">
          {t.slug}
        </a>
      </td>
      <td>{t.status}</td>
      <td>
        {t.lastBackupAt
          ? `${formatDateTime(t.lastBackupAt)} (${formatAge(t.lastBackupAt, p.now)})`
          : 'never'}
      </td>
      <td>{t.sizeBytes === null ? '—' : formatBytes(t.sizeBytes)}</td>
      {p.canRestore && (
        <td>
          {t.backupId && (
            <a href={`/fleet/backups/${t.backupId}/tenant`} class="text-violet-700 underline">
              Restore as new tenant
            </a>
          )}
        </td>
      )}
    </tr>
  )
}
