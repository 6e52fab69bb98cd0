import type { FC } from 'hono/jsx'
import type { Plan } from '../../db/plans.js'
import type { TenantBackup } from '../../db/tenant-backups.js'
import { Button } from '../components/button.js'
import { BackLink } from '../components/section.js'
import { formatBytes, formatDateTime } from '../format.js'
import { NewTenantFields, type TenantFormValues } from '../tenants/new-tenant-page.js'

// "Restore into a new tenant" (issue 11 item 5): the new tenant's fields, like the create form,
// for a copy of the backup's data under a new slug.

export type RestoreAsNewValues = TenantFormValues

export type RestoreAsNewPageProps = {
  backup: TenantBackup
  plans: Plan[]
  values: Partial<RestoreAsNewValues>
  errors: Partial<Record<keyof RestoreAsNewValues | 'form', string>>
}

export const RestoreAsNewPage: FC<RestoreAsNewPageProps> = ({ backup, values, errors, plans }) => (
  <>
    <BackLink href="/fleet/backups">Backups</BackLink>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Restore into a new tenant</h1>
    <p class="m-0 mb-4 text-sm">
      From the backup of <strong>{backup.slug}</strong> taken {formatDateTime(backup.createdAt)} (
      {formatBytes(backup.sizeBytes)}, checksum <code>{backup.sha256.slice(0, 12)}</code>). The new
      tenant gets a copy of its data; {backup.slug} is not touched. Tenant migrations added since
      the backup are applied, and the first admin below becomes its owner.
    </p>
    {errors.form && (
      <p role="alert" class="m-0 mb-4 text-sm text-red-800">
        {errors.form}
      </p>
    )}
    <form
      method="post"
      action={`/fleet/backups/${backup.id}/tenant`}
      class="max-w-xl rounded border border-slate-200 bg-white p-6"
    >
      <NewTenantFields values={values} errors={errors} plans={plans} slugLabel="New slug" />
      <Button>Restore into a new tenant</Button>
    </form>
  </>
)
