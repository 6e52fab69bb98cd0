import type { Kysely } from 'kysely'
import type { Kit } from '@fleetdeck/kit'
import type { FleetdeckVariables } from '@fleetdeck/kit/hono'

/** What the app is built from. */
export type BoardDeps = {
  kit: Kit
  /** The database holding the tenant schemas (any Kysely: the app only uses its own tables). */
  db: Kysely<any>
  /** Signs the session and impersonation cookies; ≥ 32 random characters. */
  cookieSecret: string
  secureCookies: boolean
  /** The clock, in ms since the epoch. */
  now: () => number
}

export type BoardEnv = {
  Variables: FleetdeckVariables & {
    deps: BoardDeps
    /** The app's own signed-in user of this tenant (src/session.ts), if any. */
    user?: { email: string }
  }
}
