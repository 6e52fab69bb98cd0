import type { Transaction } from 'kysely'
import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import {
  countTenantMemberships,
  deleteMembership,
  findMembership,
  findMembershipByEmail,
  findMembershipRoleForUpdate,
  insertMembership,
  lockTenantBySlug,
  lockTenantOwners,
  updateMembershipRole,
  type Membership,
} from '../db/memberships.js'
import type { Database, MembershipRole } from '../db/schema.js'
import { lockTenantEntitlements } from '../db/tenant-entitlements.js'
import { findUserById, findUsersByEmails, upsertUser } from '../db/users.js'
import { refuse, type DomainResult, type Refusal } from '../domain-result.js'
import {
  enqueueTenantAuditEntries,
  transactWithTenantAudit,
} from '../tenancy/tenant-audit-delivery.js'

// Memberships changed by an operator (issue 7 item 2): each verb is one transaction holding the
// change and its audit entry (target: the user; tenant: the membership's tenant), or nothing.
// The rule every verb keeps: a tenant never loses its last owner (seeds/000: "a workspace always
// has an owner"). It is enforced under a lock on the tenant's owner rows, not by a count read
// before the write, so two operators cannot each remove "the other" owner at once.

export type MembershipKey = { userId: string; tenantId: string }

/**
 * Why a role change or removal was refused: no such membership; the tenant's only owner; or the
 * tenant is deleted — its members stay frozen until the purge, so a restore within the grace
 * period brings them back as they were (issue 11 item 6).
 */
export type MembershipChangeRefusal = 'not_found' | 'last_owner' | 'tenant_deleted'

/**
 * Takes the owner lock, then the membership's own row. Owners are locked in user-id order and
 * always before the membership, so two verbs on one tenant never wait on each other in a cycle.
 */
async function lockForChange(trx: Transaction<Database>, key: MembershipKey) {
  const tenant = await trx
    .selectFrom('tenants')
    .select('status')
    .where('id', '=', key.tenantId)
    .forShare()
    .executeTakeFirst()
  const owners = await lockTenantOwners(trx, key.tenantId)
  const role = await findMembershipRoleForUpdate(trx, key.userId, key.tenantId)
  return { owners, role, deleted: tenant?.status === 'deleted' }
}

/** Would taking the role `role` away from this member leave the tenant without an owner? */
function isLastOwner(owners: string[], userId: string, role: MembershipRole): boolean {
  return role === 'owner' && owners.length === 1 && owners[0] === userId
}

/**
 * Gives a member another role (`owner` | `admin` | `member`) and audits `membership.role_change`
 * (before/after: role). Choosing the role they already have changes and audits nothing.
 * @returns the membership as it is now, and whether it changed; `not_found` when there is no such
 *   membership; `last_owner` when the member is the tenant's only owner and the new role is not
 *   owner; `tenant_deleted` while the tenant is deleted
 */
export async function changeMembershipRole(
  db: Db,
  context: AuditContext,
  key: MembershipKey,
  role: MembershipRole,
  now = new Date(),
): Promise<DomainResult<{ membership: Membership; changed: boolean }, MembershipChangeRefusal>> {
  return db.transaction().execute(async (trx) => {
    const { owners, role: current, deleted } = await lockForChange(trx, key)
    if (!current) return refuse('not_found')
    if (deleted) return refuse('tenant_deleted')
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
 * @returns the membership as it was; `not_found`; `last_owner` for the tenant's only owner;
 *   `tenant_deleted` while the tenant is deleted
 */
export async function removeMembership(
  db: Db,
  context: AuditContext,
  key: MembershipKey,
  now = new Date(),
): Promise<DomainResult<{ membership: Membership }, MembershipChangeRefusal>> {
  return db.transaction().execute(async (trx) => {
    const { owners, role, deleted } = await lockForChange(trx, key)
    if (!role) return refuse('not_found')
    if (deleted) return refuse('tenant_deleted')
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

export type AppMemberInput = {
  slug: string
  email: string
  /** Used when the email is new: the user is created with it. */
  name: string
  role: Exclude<MembershipRole, 'owner'>
  /** The tenant user adding them: must be an active owner or admin of the tenant. */
  actorEmail: string
  /** The app key's name, recorded as `after.via` in public.audit_log. */
  via: string
}

export type AppMemberRefusal =
  | Refusal<'tenant_not_found' | 'tenant_unavailable' | 'not_allowed' | 'already_member'>
  | (Refusal<'quota_exceeded'> & { limit: number; current: number })

/** Thrown inside the transaction to roll back what it wrote and return the refusal instead. */
class RolledBack extends Error {
  constructor(readonly refusal: AppMemberRefusal) {
    super(refusal.reason)
  }
}

/**
 * Adds a member on behalf of a tenant user (the kit API's POST /tenants/:slug/members), creating
 * the user when the email is new. The tenant's row is locked FOR UPDATE first, so additions to
 * one tenant run one at a time and the plan's member quota (seeds/002: a tightened quota blocks
 * additions, members already there keep working) cannot be overrun by two at once. Audited as
 * `membership.add` in public.audit_log (the context's actor: null for an app; `after.via` the app
 * key) and as `member.added` by `actorEmail` in the tenant's own audit log: enqueued in the
 * transaction of the change and delivered right after its commit (issue 13 item 4).
 * Refusals, nothing written: `tenant_not_found`; `tenant_unavailable` (not active); `not_allowed`
 * (the actor is not an active owner or admin there); `already_member`; `quota_exceeded`.
 */
export async function addMemberFromApp(
  db: Db,
  context: AuditContext,
  input: AppMemberInput,
  now = new Date(),
): Promise<{ ok: true; membership: Membership; userCreated: boolean } | AppMemberRefusal> {
  try {
    return await transactWithTenantAudit(db, async (trx) => {
      const tenant = await lockTenantEntitlements(trx, input.slug)
      if (!tenant) return refuse('tenant_not_found')
      if (tenant.status !== 'active') return refuse('tenant_unavailable')
      const actor = await findMembershipByEmail(trx, input.actorEmail, tenant.id)
      if (!actor || actor.userStatus !== 'active' || actor.role === 'member') {
        return refuse('not_allowed')
      }
      if (await findMembershipByEmail(trx, input.email, tenant.id)) return refuse('already_member')
      const limit = tenant.quotas.members
      const current = await countTenantMemberships(trx, tenant.id)
      if (limit !== null && current >= limit) {
        return { ...refuse('quota_exceeded'), limit, current }
      }
      const [known] = await findUsersByEmails(trx, [input.email])
      const userId = known?.id ?? (await upsertUser(trx, input.email, input.name, now))
      const key = { userId, tenantId: tenant.id, role: input.role, createdAt: now }
      // Checked above under the tenant lock; an approval that locks less may still win the race.
      if (!(await insertMembership(trx, key))) throw new RolledBack(refuse('already_member'))
      await appendAuditEntry(
        trx,
        context,
        {
          action: 'membership.add',
          targetType: 'user',
          targetId: userId,
          tenantId: tenant.id,
          before: null,
          after: {
            tenant: tenant.slug,
            role: input.role,
            via: input.via,
            addedBy: input.actorEmail,
            userCreated: !known,
          },
        },
        now,
      )
      await enqueueTenantAuditEntries(trx, tenant, [
        {
          actor: actor.email,
          action: 'member.added',
          details: { email: input.email, role: input.role },
        },
      ])
      const membership = (await findMembership(trx, userId, tenant.id))!
      return { ok: true as const, membership, userCreated: !known }
    })
  } catch (error) {
    if (error instanceof RolledBack) return error.refusal
    throw error
  }
}
