import type { Transaction } from 'kysely'
import { handoffUrl, newHandoffJti, signHandoffToken } from '../auth/handoff-token.js'
import type { Config } from '../config.js'
import { findUsableAppKey, listUsableAppKeys, type AppKey } from '../db/app-keys.js'
import type { AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import {
  findImpersonation,
  findOpenImpersonation,
  insertImpersonation,
  type Impersonation,
} from '../db/impersonations.js'
import { findMembership } from '../db/memberships.js'
import { lockSigningKeyShared } from '../db/signing-keys.js'
import type { Database, ImpersonationMode } from '../db/schema.js'
import { findTenantById } from '../db/tenants.js'
import { findUserById } from '../db/users.js'
import { refuse, type DomainResult } from '../domain-result.js'
import { auditImpersonationStep, expireLapsed } from './impersonation-audit.js'
import { transactWithTenantAudit } from './tenant-audit-delivery.js'

// Starting an impersonation (issue 8 item 2; seeds 001, 002, 004): time-boxed, read-only by
// default, one at a time per operator, written to both audit logs (the tenant's through the
// outbox, delivered right after the commit: ./impersonation-audit.ts).
// Ending, expiring and the handoff are in ./impersonation-end.ts and ./impersonation-handoff.ts.

export const IMPERSONATION_MINUTES = [15, 30, 60] as const
export type ImpersonationMinutes = (typeof IMPERSONATION_MINUTES)[number]

export type StartImpersonationInput = {
  operator: { id: string; email: string }
  tenantId: string
  userId: string
  /** Why; at least 10 characters once trimmed (the form says so, the table checks it). */
  reason: string
  ticket?: string | null
  durationMinutes: ImpersonationMinutes
  mode: ImpersonationMode
  /** The tenant app to hand off to; needed only when several are connected. */
  appKeyId?: string
}

export type StartRefusal =
  | 'user_not_found'
  | 'user_disabled'
  | 'tenant_not_found'
  | 'tenant_unavailable'
  | 'not_a_member'
  | 'suspended_read_only'
  | 'no_app_key'
  | 'choose_app_key'
  | 'unknown_app_key'
  | 'already_impersonating'

type Started = { impersonation: Impersonation; handoffUrl: string }

/**
 * Starts an impersonation and signs its first handoff. Refusals write nothing. An open one of
 * the operator's that has lapsed is expired first, in the same transaction. Holds the signing-key
 * lock shared from its first statement to its commit, so a rotation of the signing key either
 * sees this impersonation (and ends it) or commits before the handoff is signed.
 * @returns the impersonation and the tenant app's handoff URL, or why not
 * @throws when the tenant's schema (and so its audit log) is missing: nothing is written
 */
export async function startImpersonation(
  db: Db,
  ctx: AuditContext,
  config: Pick<Config, 'publicUrl' | 'secretKey'>,
  input: StartImpersonationInput,
  now: Date,
): Promise<DomainResult<Started, StartRefusal>> {
  try {
    return await transactWithTenantAudit(db, async (trx) => {
      // First, before the audit chain's lock: a rotation takes this lock, then that one.
      await lockSigningKeyShared(trx)
      const checked = await checkTarget(trx, input)
      if (!checked.ok) return checked
      const open = await findOpenImpersonation(trx, input.operator.id, true)
      if (open && open.expiresAt > now) return refuse('already_impersonating')
      if (open) await expireLapsed(trx, ctx, open, now)
      return insertAndSign(trx, ctx, config, input, checked.app, now)
    })
  } catch (error) {
    // Two starts at once: the partial unique index lets one through (migration 2026113060).
    if (isOneOpenViolation(error)) return refuse('already_impersonating')
    throw error
  }
}

async function checkTarget(
  trx: Transaction<Database>,
  input: StartImpersonationInput,
): Promise<DomainResult<{ app: AppKey }, StartRefusal>> {
  const user = await findUserById(trx, input.userId)
  if (!user) return refuse('user_not_found')
  const tenant = await findTenantById(trx, input.tenantId)
  if (!tenant) return refuse('tenant_not_found')
  if (user.status === 'disabled') return refuse('user_disabled')
  if (tenant.status !== 'active' && tenant.status !== 'suspended') {
    return refuse('tenant_unavailable')
  }
  if (!(await findMembership(trx, user.id, tenant.id))) return refuse('not_a_member')
  // Seed 002: a suspended tenant may be looked at, never changed.
  if (tenant.status === 'suspended' && input.mode === 'read_write') {
    return refuse('suspended_read_only')
  }
  return pickAppKey(trx, input.appKeyId)
}

/** The given usable key, else the only one; several without a choice is for the form to ask. */
export async function pickAppKey(
  db: Db,
  appKeyId: string | undefined,
): Promise<DomainResult<{ app: AppKey }, 'no_app_key' | 'choose_app_key' | 'unknown_app_key'>> {
  if (appKeyId) {
    const key = await findUsableAppKey(db, appKeyId)
    if (!key) return refuse('unknown_app_key')
    const { secretHash: _, ...app } = key
    return { ok: true, app }
  }
  const keys = await listUsableAppKeys(db)
  if (keys.length === 0) return refuse('no_app_key')
  if (keys.length > 1) return refuse('choose_app_key')
  return { ok: true, app: keys[0] }
}

async function insertAndSign(
  trx: Transaction<Database>,
  ctx: AuditContext,
  config: Pick<Config, 'publicUrl' | 'secretKey'>,
  input: StartImpersonationInput,
  app: AppKey,
  now: Date,
): Promise<DomainResult<Started, never>> {
  const jti = newHandoffJti()
  const id = await insertImpersonation(trx, {
    operatorId: input.operator.id,
    operatorEmail: input.operator.email,
    tenantId: input.tenantId,
    userId: input.userId,
    appKeyId: app.id,
    reason: input.reason.trim(),
    ticket: input.ticket?.trim() || null,
    mode: input.mode,
    startedAt: now,
    expiresAt: new Date(now.getTime() + input.durationMinutes * 60_000),
    ip: ctx.ip ?? null,
    userAgent: ctx.userAgent ?? null,
    handoffJti: jti,
  })
  const imp = (await findImpersonation(trx, id))!
  await auditImpersonationStep(
    trx,
    { ...ctx, actor: input.operator },
    imp,
    {
      action: 'impersonation.start',
      tenantAction: 'support.impersonation_started',
      after: {
        reason: imp.reason,
        ticket: imp.ticket,
        mode: imp.mode,
        expiresAt: imp.expiresAt.toISOString(),
        app: { id: app.id, name: app.name, url: app.appUrl },
      },
    },
    now,
  )
  const token = await signHandoffToken(trx, config, handoffClaims(imp, jti), app.appUrl, now)
  return { ok: true, impersonation: imp, handoffUrl: handoffUrl(app.appUrl, token) }
}

/** The claims of a handoff for `imp` with token id `jti`. */
export function handoffClaims(imp: Impersonation, jti: string) {
  return {
    userId: imp.userId,
    tenantId: imp.tenantId,
    tenantSlug: imp.tenantSlug,
    operator: { id: imp.operatorId, email: imp.operatorEmail },
    impersonationId: imp.id,
    mode: imp.mode,
    jti,
  }
}

function isOneOpenViolation(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; message?: string } | undefined
  return (
    e?.code === '23505' &&
    (e.constraint === 'impersonations_one_open_per_operator' ||
      !!e.message?.includes('impersonations_one_open_per_operator'))
  )
}
