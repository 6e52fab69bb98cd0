import type { Db } from './database.js'
import { invalidateSettingsCache, readCachedSettings } from './settings.js'

// Public signup and the default plan for self-service signups (issue 10 item 6), as two rows of
// public.settings: 'public_signup' (JSON boolean) and 'default_plan_id' (JSON string or null).

/**
 * Whether public signup is open on a database where no owner has chosen yet. Open: seed 002
 * words the setting as "Disable public signup", an opt-out of a self-service SaaS's normal state.
 */
export const DEFAULT_PUBLIC_SIGNUP = true

/** What an owner chose on /settings/signup. `defaultPlanId` null = the first public plan. */
export type SignupSettings = { publicSignup: boolean; defaultPlanId: string | null }

const KEYS = { publicSignup: 'public_signup', defaultPlanId: 'default_plan_id' } as const

function fromValues(values: Map<string, unknown>): SignupSettings {
  const open = values.get(KEYS.publicSignup)
  const plan = values.get(KEYS.defaultPlanId)
  return {
    publicSignup: typeof open === 'boolean' ? open : DEFAULT_PUBLIC_SIGNUP,
    defaultPlanId: typeof plan === 'string' && plan !== '' ? plan : null,
  }
}

/**
 * The signup settings as stored now. With `forUpdate` (inside a transaction) the rows that exist
 * stay locked until commit, so the audited "before" is what the change replaces.
 */
export async function getSignupSettings(
  db: Db,
  options: { forUpdate?: boolean } = {},
): Promise<SignupSettings> {
  let query = db
    .selectFrom('settings')
    .select(['key', 'value'])
    .where('key', 'in', [KEYS.publicSignup, KEYS.defaultPlanId])
  if (options.forUpdate) query = query.forUpdate()
  const rows = await query.execute()
  return fromValues(new Map(rows.map((r) => [r.key, r.value])))
}

/**
 * The signup settings for the kit API's path: from the shared settings cache, at most
 * SETTINGS_TTL_MS (5,000 ms) old, so a tenant app asking often costs no query.
 * @param nowMs the app clock, in milliseconds since the epoch
 */
export async function getCachedSignupSettings(db: Db, nowMs: number): Promise<SignupSettings> {
  return fromValues(await readCachedSettings(db, nowMs))
}

/**
 * Stores both settings (`updatedBy`: the operator's id); run inside the transaction that audits
 * the change, and call invalidateSettingsCache again after it commits.
 */
export async function setSignupSettings(
  trx: Db,
  settings: SignupSettings,
  updatedBy: string | null,
  now: Date,
): Promise<void> {
  const rows = [
    { key: KEYS.publicSignup, value: JSON.stringify(settings.publicSignup) },
    { key: KEYS.defaultPlanId, value: JSON.stringify(settings.defaultPlanId) },
  ].map((r) => ({ ...r, updated_at: now, updated_by: updatedBy }))
  await trx
    .insertInto('settings')
    .values(rows)
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        value: eb.ref('excluded.value'),
        updated_at: now,
        updated_by: updatedBy,
      })),
    )
    .execute()
  invalidateSettingsCache()
}
