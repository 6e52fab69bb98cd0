import type { FC } from 'hono/jsx'
import { roleCan } from '../../auth/permissions.js'
import type { AuditListEntry } from '../../db/audit-log.js'
import type { Plan } from '../../db/plans.js'
import type { SuperAdmin } from '../../db/super-admins.js'
import type { Storage, Tenant } from '../../db/tenants.js'
import type { OnboardingRetry, StepState } from '../../tenancy/onboarding.js'
import type { SchemaStatus } from '../../fleet/schema-status.js'
import { AuditTable } from '../audit/audit-table.js'
import { Button } from '../components/button.js'
import { Field } from '../components/field.js'
import { formatAge, formatBytes, formatDateTime } from '../format.js'
import { PlanSelect } from './plan-select.js'
import { StatusAction, StatusBadge } from './tenant-status.js'
import { CopyText } from '../components/copy-text.js'
import type { RowNotice } from './tenants-page.js'
import {
  TenantMembers,
  TenantMemberSearch,
  type TenantMembersData,
} from '../memberships/tenant-members.js'
import { AutoJoinDomains } from './auto-join-domains.js'
import { TenantBackups, type TenantBackupsProps } from './tenant-backups.js'
import type { TenantFlag } from '../../db/flags.js'
import { TenantFlags } from './tenant-flags.js'
import { TenantHealth } from './tenant-health.js'
import type { CheckResult } from '../../db/fleet-check-results.js'
import { TenantDeletedBanner, TenantDeletion } from './tenant-deletion.js'
import type { ApprovalFieldProps } from '../approvals/reason-field.js'
import type { TenantBillingSummary } from '../../db/tenant-billing.js'
import { TenantBillingSection } from '../billing/tenant-billing-section.js'
import type { TenantPlacement } from '../../db/storage-snapshots.js'
import { TenantPlacementSection } from './tenant-placement-section.js'

export type TenantPageProps = {
  operator: SuperAdmin
  tenant: Tenant
  planName: string
  plans: Plan[]
  members: TenantMembersData
  memberCount: number
  storage: Storage | undefined
  schema: SchemaStatus
  steps: StepState[]
  /** Whether, when and why Retry is offered; undefined once onboarding is over. */
  retry?: OnboardingRetry
  audit: AuditListEntry[]
  now: Date
  editErrors?: Partial<Record<'name' | 'planId' | 'billingEmail', string>>
  editValues?: { name: string; planId: string; billingEmail: string }
  deleteError?: string
  /** Dual control (issue 14): the Delete form's reason field while deleting needs approval. */
  deleteApproval?: ApprovalFieldProps
  /** The Backups section (issue 11 item 5); shown when given. */
  backups?: TenantBackupsProps
  /** Days a deleted tenant stays restorable (config.purgeGraceDays, issue 11 item 6). */
  purgeGraceDays: number
  /** The tenant's auto-join email domains (issue 7 item 3); the section shows when given. */
  autoJoinDomains?: { domain: string; createdAt: Date }[]
  /** Every flag that is not archived, resolved for this tenant (issue 9 item 3). */
  flags?: TenantFlag[]
  /** The tenant's latest schema health result (issue 11 item 2); the section shows when given. */
  health?: { result: CheckResult | undefined }
  /** The compact Billing section (issue 12); shown when given (saas.billing.view). */
  billing?: TenantBillingSummary
  /** The Placement section (issue 13 item 5): given on Citus only, off Citus it is omitted. */
  placement?: { snapshot: TenantPlacement | undefined }
}

const Section: FC<{ title: string; id?: string; children: unknown }> = (p) => (
  <section
    id={p.id}
    aria-labelledby={`${p.id ?? p.title}-title`}
    class="mb-6 rounded border border-slate-200 bg-white p-5"
  >
    <h2 id={`${p.id ?? p.title}-title`} class="m-0 mb-3 text-base font-semibold">
      {p.title}
    </h2>
    {p.children as any}
  </section>
)

/** Name, slug, status and the suspend/activate action; htmx swaps it after that action. */
export const TenantHeader: FC<{ tenant: Tenant; operator: SuperAdmin; notice?: RowNotice }> = ({
  tenant,
  operator,
  notice,
}) => (
  <div
    id="tenant-header"
    tabindex={-1}
    class="mb-6 flex flex-wrap items-center gap-3 focus:outline-none"
  >
    <h1 class="m-0 text-2xl font-semibold">{tenant.name}</h1>
    <span class="font-mono text-slate-600">{tenant.slug}</span>
    <StatusBadge status={tenant.status} />
    <span class="ml-auto" data-keep-focus="#tenant-header">
      {notice && <span class="mr-2 text-sm font-medium text-slate-700">{notice.text}</span>}
      <StatusAction
        tenant={tenant}
        operator={operator}
        target="#tenant-header"
        undo={notice?.undo}
      />
    </span>
  </div>
)

export const TenantPage: FC<TenantPageProps> = (p) => {
  const t = p.tenant
  const canEdit = roleCan(p.operator.role, 'saas.tenants.edit') && t.status !== 'deleted'
  return (
    <div>
      <p class="m-0 mb-2 text-sm">
        <a href="/tenants" class="text-violet-700 underline">
          ← Tenants
        </a>
      </p>
      <TenantHeader tenant={t} operator={p.operator} />
      <TenantDeletedBanner tenant={t} operator={p.operator} now={p.now} />
      {roleCan(p.operator.role, 'saas.tenants.impersonate') &&
        (t.status === 'active' || t.status === 'suspended') && (
          <p class="m-0 mb-4">
            {/* Seed 002: "View as" on a tenant means its first admin; the form names them. */}
            <a
              href={`/impersonations/new?tenant=${t.id}`}
              class="rounded border border-amber-400 bg-amber-50 px-3 py-1.5 text-sm text-slate-900 no-underline hover:bg-amber-100"
            >
              View as {t.firstAdminEmail}
            </a>
          </p>
        )}
      {t.onboardingError && (
        <div
          role="alert"
          class="mb-4 rounded border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900"
        >
          Onboarding failed — {t.onboardingError}
        </div>
      )}
      <div class="grid gap-6 lg:grid-cols-2">
        <Section title="Overview" id="overview">
          <dl class="m-0 grid grid-cols-[10rem_1fr] gap-y-1 text-sm">
            <dt class="text-slate-600">Tenant id</dt>
            <dd class="m-0">
              <CopyText id="tenant-id" text={t.id} label={`Copy the id of ${t.slug}`} />
            </dd>
            <dt class="text-slate-600">Plan</dt>
            <dd class="m-0">{p.planName}</dd>
            <dt class="text-slate-600">Billing email</dt>
            <dd class="m-0">{t.billingEmail}</dd>
            <dt class="text-slate-600">Created</dt>
            <dd class="m-0">{formatDateTime(t.createdAt)}</dd>
            <dt class="text-slate-600">Last activity</dt>
            <dd class="m-0">{t.lastActivityAt ? formatDateTime(t.lastActivityAt) : 'never'}</dd>
            <dt class="text-slate-600">Suspended</dt>
            <dd class="m-0">{formatDateTime(t.suspendedAt)}</dd>
            <dt class="text-slate-600">Plan changed</dt>
            <dd class="m-0">{formatDateTime(t.planChangedAt)}</dd>
            {t.deletedAt && (
              <>
                <dt class="text-slate-600">Deleted</dt>
                <dd class="m-0">{formatDateTime(t.deletedAt)}</dd>
              </>
            )}
          </dl>
        </Section>
        <Section title="Storage and schema" id="storage">
          <dl class="m-0 grid grid-cols-[10rem_1fr] gap-y-1 text-sm">
            <dt class="text-slate-600">Database</dt>
            <dd class="m-0">{p.storage ? formatBytes(p.storage.dbBytes) : 'not measured'}</dd>
            <dt class="text-slate-600">Files</dt>
            <dd class="m-0">{p.storage ? formatBytes(p.storage.fileBytes) : 'not measured'}</dd>
            <dt class="text-slate-600">Total</dt>
            <dd class="m-0 font-medium">
              {p.storage ? formatBytes(p.storage.dbBytes + p.storage.fileBytes) : '—'}
            </dd>
            <dt class="text-slate-600">Measured</dt>
            <dd class="m-0">{p.storage ? formatAge(p.storage.takenAt, p.now) : '—'}</dd>
            <dt class="text-slate-600">Schema</dt>
            <dd class="m-0" id="schema-status">
              <span class="font-mono">{p.schema.schema}</span>:{' '}
              {p.schema.exists ? (
                <span class="text-emerald-800">
                  present, {p.schema.tables} tables, migrations {p.schema.applied.length}/
                  {p.schema.applied.length + p.schema.pending.length} applied
                </span>
              ) : (
                <span class="text-red-800">missing</span>
              )}
            </dd>
          </dl>
        </Section>
      </div>
      {p.placement && (
        <TenantPlacementSection
          tenant={t}
          placement={p.placement.snapshot}
          canMove={roleCan(p.operator.role, 'saas.tenants.edit')}
          now={p.now}
        />
      )}
      {p.billing && <TenantBillingSection tenant={t} summary={p.billing} now={p.now} />}
      {p.health && <TenantHealth tenant={t} result={p.health.result} operator={p.operator} />}
      {p.steps.length > 0 && (
        <Section title="Onboarding" id="onboarding">
          <ol class="m-0 pl-5 text-sm">
            {p.steps.map((s) => (
              <li class="mb-1">
                <span class="font-medium">{s.label}</span>{' '}
                <span
                  class={
                    s.status === 'done'
                      ? 'text-emerald-800'
                      : s.status === 'failed'
                        ? 'text-red-800'
                        : 'text-slate-600'
                  }
                >
                  {s.status}
                </span>
                {s.error && <span class="block text-xs text-red-800">{s.error}</span>}
              </li>
            ))}
          </ol>
          {p.retry && p.retry.reason !== 'failed' && <RetryNotice retry={p.retry} />}
          {p.retry?.available && roleCan(p.operator.role, 'saas.tenants.create') && (
            <form method="post" action={`/tenants/${t.id}/onboarding`} class="mt-3">
              <Button accesskey="r">Retry onboarding</Button>
            </form>
          )}
        </Section>
      )}
      <Section title={`Members (${p.memberCount})`} id="members">
        <TenantMemberSearch tenantId={t.id} q={p.members.q} />
        <TenantMembers
          {...p.members}
          tenantId={t.id}
          canEdit={roleCan(p.operator.role, 'saas.users.edit')}
          canImpersonate={roleCan(p.operator.role, 'saas.tenants.impersonate')}
        />
      </Section>
      {p.autoJoinDomains && (
        <AutoJoinDomains operator={p.operator} tenant={t} domains={p.autoJoinDomains} />
      )}
      {p.flags && <TenantFlags operator={p.operator} tenant={t} flags={p.flags} plans={p.plans} />}
      {canEdit && (
        <Section title="Edit" id="edit">
          <form method="post" action={`/tenants/${t.id}`} class="max-w-xl">
            <Field
              name="name"
              label="Name"
              value={p.editValues?.name ?? t.name}
              error={p.editErrors?.name}
              required
            />
            <PlanSelect
              plans={p.plans}
              value={p.editValues?.planId ?? t.planId}
              error={p.editErrors?.planId}
            />
            <Field
              name="billingEmail"
              label="Billing email"
              type="email"
              value={p.editValues?.billingEmail ?? t.billingEmail}
              error={p.editErrors?.billingEmail}
              required
            />
            <Button accesskey="e">Save changes</Button>
          </form>
        </Section>
      )}
      {p.backups && <TenantBackups {...p.backups} />}
      <Section title="Recent audit entries" id="tenant-audit">
        <AuditTable entries={p.audit} showTenant={false} />
        <p class="mt-2 text-sm">
          <a href={`/audit?tenant=${t.id}`} class="text-violet-700 underline">
            Full history
          </a>
        </p>
      </Section>
      <TenantDeletion {...p} schemaName={p.schema.schema} graceDays={p.purgeGraceDays} />
    </div>
  )
}

/** Why an onboarding still in `provisioning` can or cannot be retried yet, and when it can. */
const RetryNotice: FC<{ retry: OnboardingRetry }> = ({ retry }) => {
  const lease = `${Math.round(retry.leaseMs / 60_000)}-minute`
  return (
    <p id="onboarding-retry" class="m-0 mt-3 text-sm text-slate-700">
      {retry.available ? (
        <>
          Onboarding was interrupted: no step has finished since{' '}
          {formatDateTime(retry.lastProgressAt)}, and a run renews its {lease} lease at every step.
          Retry resumes at the first unfinished step.
        </>
      ) : (
        <>
          Onboarding is running, or was interrupted: last progress at{' '}
          {formatDateTime(retry.lastProgressAt)}. Retry becomes available at{' '}
          <time datetime={retry.availableAt?.toISOString()}>
            {formatDateTime(retry.availableAt)}
          </time>
          , when the run’s {lease} lease expires — until then a second run would collide with it.
        </>
      )}
    </p>
  )
}
