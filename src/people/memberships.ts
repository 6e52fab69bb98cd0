import type { Transaction } from 'kysely'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import {
  deleteMembership,
  findMembership,
  findMembershipRoleForUpdate,
  insertMembership,
  lockTenantBySlug,
  lockTenantOwners,
  updateMembershipRole,
  type Membership,
} from '../db/memberships.js'
import type { Database, MembershipRole } from '../db/schema.js'
import { findUserById } from '../db/users.js'
import { refuse, type DomainResult } from '../domain-result.js'

// Memberships changed by an operator (issue 7 item 2): each verb is one transaction holding the
// change and its audit entry (target: the user; tenant: the membership's tenant), or nothing.
// The rule every verb keeps: a tenant never loses its last owner (seeds/000: "a workspace always
// has an owner"). It is enforced under a lock on the tenant's owner rows, not by a count read
// before the write, so two operators cannot each remove "the other" owner at once.

export type MembershipKey = { userId: string; tenantId: string }

/**
 * Takes the owner lock, then the membership's own row. Owners are locked in user-id order and
 * always before the membership, so two verbs on one tenant never wait on each other in a cycle.
 */
async function lockForChange(trx: Transaction<Database>, key: MembershipKey) {
  const owners = await lockTenantOwners(trx, key.tenantId)
  const role = await findMembershipRoleForUpdate(trx, key.userId, key.tenantId)
  return { owners, role }
}

/** Would taking the role `role` away from this member leave the tenant without an owner? */
function isLastOwner(owners: string[], userId: string, role: MembershipRole): boolean {
  return role === 'owner' && owners.length === 1 && owners[0] === userId
}

/**
 * Gives a member another role (`owner` | `admin` | `member`) and audits `membership.role_change`
 * (before/after: role). Choosing the role they already have changes and audits nothing.
 * @returns the membership as it is now, and whether it changed; `not_found` when there is no such
 *   membership; `last_owner` when the member is the tenant's only owner and the new role is not owner
 */
export async function changeMembershipRole(
  db: Db,
  context: AuditContext,
  key: MembershipKey,
  role: MembershipRole,
  now = new Date(),
): Promise<DomainResult<{ membership: Membership; changed: boolean }, 'not_found' | 'last_owner'>> {
  return db.transaction().execute(async (trx) => {
    const { owners, role: current } = await lockForChange(trx, key)
    if (!current) return refuse('not_found')
    if (current !== role) {
      if (isLastOwner(owners, key.userId, current)) return refuse('last_owner')
      await updateMembershipRole(trx, key.userId, key.tenantId, role)
      await appendAuditEntry(
        trx,
        context,
        {
          action: 'membership.role_change',
          targetType: 'user',
          targetId: key.userId,
          tenantId: key.tenantId,
          before: { role: current },
          after: { role },
        },
        now,
      )
    }
    const membership = await findMembership(trx, key.userId, key.tenantId)
    return { ok: true, membership: membership!, changed: current !== role }
  })
}

/**
 * Removes a member from a tenant and audits `membership.remove` (before: tenant slug and role).
 * The user keeps their identity and other memberships.
 * @returns the membership as it was; `not_found`; `last_owner` for the tenant's only owner
 */
export async function removeMembership(
  db: Db,
  context: AuditContext,
  key: MembershipKey,
  now = new Date(),
): Promise<DomainResult<{ membership: Membership }, 'not_found' | 'last_owner'>> {
  return db.transaction().execute(async (trx) => {
    const { owners, role } = await lockForChange(trx, key)
    if (!role) return refuse('not_found')
    if (isLastOwner(owners, key.userId, role)) return refuse('last_owner')
    const membership = (await findMembership(trx, key.userId, key.tenantId))!
    await deleteMembership(trx, key.userId, key.tenantId)
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'membership.remove',
        targetType: 'user',
        targetId: key.userId,
        tenantId: key.tenantId,
        before: { tenant: membership.slug, role },
        after: null,
      },
      now,
    )
    return { ok: true, membership }
  })
}

export type AddMembershipRefusal =
  'user_not_found' | 'unknown_tenant' | 'tenant_deleted' | 'already_member'

/**
 * Adds a user to the tenant with this slug, with a role, and audits `membership.add` (after:
 * tenant slug and role). The tenant is locked FOR SHARE, so a deletion running at the same time
 * either waits for this membership (and removes it) or is seen here as `deleted`. A disabled
 * user can be added: disabling keeps memberships, the tenant side refuses the sign-in.
 * @returns the new membership, or the reason it was not made
 */
export async function addMembership(
  db: Db,
  context: AuditContext,
  input: { userId: string; slug: string; role: MembershipRole },
  now = new Date(),
): Promise<DomainResult<{ membership: Membership }, AddMembershipRefusal>> {
  return db.transaction().execute(async (trx) => {
    const user = await findUserById(trx, input.userId)
    if (!user) return refuse('user_not_found')
    const tenant = await lockTenantBySlug(trx, input.slug)
    if (!tenant) return refuse('unknown_tenant')
    if (tenant.status === 'deleted') return refuse('tenant_deleted')
    const inserted = await insertMembership(trx, {
      userId: user.id,
      tenantId: tenant.id,
      role: input.role,
      createdAt: now,
    })
    if (!inserted) return refuse('already_member')
    await appendAuditEntry(
      trx,
      context,
      {
        action: 'membership.add',
        targetType: 'user',
        targetId: user.id,
        tenantId: tenant.id,
        before: null,
        after: { tenant: tenant.slug, role: input.role },
      },
      now,
    )
    const membership = await findMembership(trx, user.id, tenant.id)
    return { ok: true, membership: membership! }
  })
}
