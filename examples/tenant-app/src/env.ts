import type { Kysely } from 'kysely'
import type { Kit } from '@fleetdeck/kit'
import type { FleetdeckVariables } from '@fleetdeck/kit/hono'
import type { Flags } from './flags.js'

/** What the app is built from. */
export type BoardDeps = {
  kit: Kit
  /** The database holding the tenant schemas (any Kysely: the app only uses its own tables). */
  db: Kysely<any>
  /** Signs the session and impersonation cookies; ≥ 32 random characters. */
  cookieSecret: string
  secureCookies: boolean
  /** Feature flags through OpenFeature's OFREP provider (src/flags.ts). */
  flags: Flags
  /** The clock, in ms since the epoch. */
  now: () => number
}

export type BoardEnv = {
  Variables: FleetdeckVariables & {
    deps: BoardDeps
    /** The app's own signed-in user of this tenant (src/session.ts), if any. */
    user?: { email: string }
    /** What this member's pages offer, set for member routes (src/features.ts). */
    features?: Features
  }
}

/**
 * The optional parts of the app for this tenant: Drawings by the `drawings-beta` flag (through
 * OpenFeature), Export by the plan (`board-export` in the kit's snapshot).
 */
export type Features = { drawings: boolean; export: boolean }
