import type { Config } from '../config.js'
import type { DatabaseHandle, Db } from '../db/database.js'
import type { SuperAdmin } from '../db/super-admins.js'
import type { Session } from '../auth/session.js'
import type { Flash } from './flash.js'

/** What the app is built from; tests pass their own database and clock. */
export type AppDeps = {
  config: Config
  database: DatabaseHandle
  /** The clock, in milliseconds since the epoch; tests move it. */
  now?: () => number
}

export type AppEnv = {
  Variables: {
    deps: AppDeps
    db: Db
    requestId: string
    now: () => Date
    admin: SuperAdmin
    session: Session
    flash: Flash | undefined
    clientIp: string | null
    /** TRUST_PROXY compiled once (proxy-addr). */
    trustProxy: (addr: string, i: number) => boolean
  }
}
