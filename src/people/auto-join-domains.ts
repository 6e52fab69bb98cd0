import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { deleteAutoJoinDomain, insertAutoJoinDomain } from '../db/auto-join-domains.js'
import { lockTenantForJoin } from '../db/join-requests.js'
import { refuse, type DomainResult } from '../domain-result.js'

// A tenant's auto-join email domains (issue 7 item 3): a join request from an address at one of
// them is approved at once as `member` (src/people/join-requests.ts submitJoinRequest).

/**
 * The domain as stored (lower case, no trailing dot), or undefined when it is not a hostname of
 * at least two labels: each 1–63 letters, digits or inner hyphens, 253 characters in all
 * (RFC 1123 §2.1), the last label not all digits (so no IP address).
 */
export function normaliseDomain(input: string): string | undefined {
  const domain = input.trim().toLowerCase().replace(/\.$/, '')
  if (domain.length > 253) return undefined
  const labels = domain.split('.')
  if (labels.length < 2) return undefined
  if (!labels.every((l) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(l))) return undefined
  if (/^\d+$/.test(labels[labels.length - 1])) return undefined
  return domain
}

/**
 * Mailbox providers anyone can sign up with: listing one would let anybody join the tenant
 * (seed 000 ties auto-join to a company's own domain). Not exhaustive; the common ones, and
 * their country variants where they are the same service.
 */
const FREE_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'yahoo.com',
  'ymail.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
  'gmx.net',
  'gmx.de',
  'web.de',
  'mail.com',
  'zoho.com',
  'yandex.com',
  'yandex.ru',
  'mail.ru',
  'qq.com',
  '163.com',
  'fastmail.com',
  'tutanota.com',
  'hey.com',
])

/** Is `domain` (normalised) a public mailbox provider, where anyone can have an address? */
export function isFreeMailDomain(domain: string): boolean {
  return (
    FREE_MAIL_DOMAINS.has(domain) ||
    /^(hotmail|outlook|yahoo|live)\.[a-z]{2,3}(\.[a-z]{2})?$/.test(domain)
  )
}

/**
 * Adds an auto-join domain (already normalised by normaliseDomain) to a tenant that is not
 * deleted, audited as `tenant.auto_join_domain.add`.
 * Refusals: `unknown_tenant`, `tenant_deleted`, `already_listed`.
 */
export async function addAutoJoinDomain(
  db: Db,
  context: AuditContext,
  tenantId: string,
  domain: string,
  now = new Date(),
): Promise<
  DomainResult<{ domain: string }, 'unknown_tenant' | 'tenant_deleted' | 'already_listed'>
> {
  return db.transaction().execute(async (trx) => {
    const tenant = await lockTenantForJoin(trx, tenantId)
    if (!tenant) return refuse('unknown_tenant')
    if (tenant.status === 'deleted') return refuse('tenant_deleted')
    const added = await insertAutoJoinDomain(trx, {
      tenantId,
      domain,
      createdBy: context.actor?.id ?? null,
      createdAt: now,
    })
    if (!added) return refuse('already_listed')
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'tenant.auto_join_domain.add',
        targetType: 'tenant',
        targetId: tenantId,
        tenantId,
        before: null,
        after: { domain },
      },
      now,
    )
    return { ok: true as const, domain }
  })
}

/**
 * Removes an auto-join domain, audited as `tenant.auto_join_domain.remove`. Requests already
 * approved through it stay approved. Refusal: `not_listed`.
 */
export async function removeAutoJoinDomain(
  db: Db,
  context: AuditContext,
  tenantId: string,
  domain: string,
  now = new Date(),
): Promise<DomainResult<{ domain: string }, 'not_listed'>> {
  return db.transaction().execute(async (trx) => {
    if (!(await deleteAutoJoinDomain(trx, tenantId, domain))) return refuse('not_listed')
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'tenant.auto_join_domain.remove',
        targetType: 'tenant',
        targetId: tenantId,
        tenantId,
        before: { domain },
        after: null,
      },
      now,
    )
    return { ok: true as const, domain }
  })
}
