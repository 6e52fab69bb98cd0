import type { Db } from '../db/database.js'
import type { UserSignInOutcome } from '../db/schema.js'
import { advanceTenantLastActivity, findTenantBySlug } from '../db/tenants.js'
import { recordUserSignIn } from '../db/user-sign-ins.js'
import { findUsersByEmails } from '../db/users.js'

// Sign-ins reported by tenant apps (the kit API's POST /sign-ins, issue 8 item 3): the history the
// console's user page shows. Not audited: a sign-in changes nothing an operator did.

export type ReportedSignIn = {
  /** The tenant's slug; an unknown one records the sign-in without a tenant. */
  tenant: string
  email: string
  outcome: UserSignInOutcome
  detail?: string | null
  /** The end user's address and browser, as the tenant app saw them. */
  ip?: string | null
  userAgent?: string | null
}

/**
 * Records a sign-in attempt of the user with this email (case-insensitive) at `now`, in one
 * transaction: the row in user_sign_ins and, for a success, the user's `last_login_at` and the
 * tenant's `last_activity_at` (both only ever move forwards).
 * @returns `recorded: false` when no user has the email: there is nothing to attach it to
 */
export async function recordReportedSignIn(
  db: Db,
  signIn: ReportedSignIn,
  now: Date,
): Promise<{ recorded: boolean }> {
  return db.transaction().execute(async (trx) => {
    const [user] = await findUsersByEmails(trx, [signIn.email])
    if (!user) return { recorded: false }
    const tenant = await findTenantBySlug(trx, signIn.tenant)
    await recordUserSignIn(trx, {
      userId: user.id,
      tenantId: tenant?.id ?? null,
      at: now,
      ip: signIn.ip ?? null,
      userAgent: signIn.userAgent ?? null,
      outcome: signIn.outcome,
      detail: signIn.detail ?? null,
    })
    if (tenant && signIn.outcome === 'succeeded') {
      await advanceTenantLastActivity(trx, tenant.id, now)
    }
    return { recorded: true }
  })
}
