import { appendAuditEntry, type AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import { findUserById, transitionUserStatus, type User, type UserStatus } from '../db/users.js'
import { refuse, type DomainResult } from '../domain-result.js'

// A tenant user's account, as an operator changes it (issue 7 item 2). Disabling keeps every
// membership: the tenant side refuses a disabled user's sign-in (the tenant-side issue enforces
// it; this stores it). One transaction each: the compare-and-set and its audit entry.

const CHANGES = {
  disable: { from: ['invited', 'active'] as UserStatus[], to: 'disabled', action: 'user.disable' },
  // Enabling gives `active`: an invitation that was pending before the disablement is not
  // restored (the tenant side re-invites when it needs to).
  enable: { from: ['disabled'] as UserStatus[], to: 'active', action: 'user.enable' },
} as const

/**
 * Disables (`invited`/`active` → `disabled`) or enables (`disabled` → `active`) a user and audits
 * `user.disable` / `user.enable` with the status before and after.
 * @returns the user after the change; `not_found` (no such user) or `unchanged` (already there)
 */
export async function changeUserStatus(
  db: Db,
  context: AuditContext,
  userId: string,
  change: keyof typeof CHANGES,
  now = new Date(),
): Promise<DomainResult<{ user: User }, 'not_found' | 'unchanged'>> {
  const { from, to, action } = CHANGES[change]
  return db.transaction().execute(async (trx) => {
    const result = await transitionUserStatus(trx, userId, from, to)
    if (!result) {
      return refuse((await findUserById(trx, userId)) ? 'unchanged' : 'not_found')
    }
    await appendAuditEntry(
      trx,
      context,
      {
        action,
        targetType: 'user',
        targetId: userId,
        before: { status: result.before.status },
        after: { status: result.after.status },
      },
      now,
    )
    return { ok: true, user: result.after }
  })
}
