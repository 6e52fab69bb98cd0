import type { Child } from 'hono/jsx'
import type { ApiTokenCaller } from '../api/v1/caller.js'
import type { Config } from '../config.js'
import type { AppKey } from '../db/app-keys.js'
import type { DatabaseHandle, Db } from '../db/database.js'
import type { SuperAdmin } from '../db/super-admins.js'
import type { Session } from '../auth/session.js'
import type { Logger } from '../observability/logger.js'
import type { AppMetrics } from '../observability/metrics.js'
import type { Flash } from './flash.js'
import type { ResumedForm } from './form-resume.js'
import type { Scope } from './scope.js'

/** What the app is built from; tests pass their own database and clock. */
export type AppDeps = {
  config: Config
  database: DatabaseHandle
  /** The clock, in milliseconds since the epoch; tests move it. */
  now?: () => number
  /** Where the JSON log lines go; the process logger at LOG_LEVEL when absent (tests: silent). */
  logger?: Logger
  /** The app's /metrics registry; one of its own when absent (src/observability/metrics.ts). */
  metrics?: AppMetrics
  /**
   * False: no request timing, histogram or request log line (the benchmark's baseline, to
   * measure what they cost). Default true.
   */
  observe?: boolean
}

export type AppEnv = {
  Variables: {
    deps: AppDeps
    db: Db
    requestId: string
    /** The app's JSON logger (set by observeRequests, src/web/observe.ts). */
    log: Logger
    /** The app's Prometheus metrics (set by observeRequests). */
    metrics: AppMetrics
    now: () => Date
    /** The signed-in super admin of a console request (set by requireConsoleSession). */
    operator: SuperAdmin
    session: Session
    /** The message queued by the previous request, taken once per page (src/web/flash.ts). */
    flash: Flash | undefined
    /**
     * The layout's slots above every console page: the scope's top bar (DESIGN.md §11) and the
     * impersonation banner (§6). The middleware that resolves them sets them; unset, the layout
     * renders nothing there.
     */
    scopeBar: Child | undefined
    /**
     * The admin-mode scope of a console request (src/web/scope.ts, DESIGN.md §11): hand
     * `scope.filter` to every list and KPI query. Set by resolveScope after the session guard.
     */
    scope: Scope
    impersonationBanner: Child | undefined
    /** The form step-up interrupted, to fill again on the page it returns to (form-resume.ts). */
    resumedForm: ResumedForm | undefined
    /** The app key that authenticated a kit API call (set by requireAppKey, src/kit-api/auth.ts). */
    appKey: AppKey
    /**
     * The API token of a REST call (/api/v1, src/api/v1/auth.ts); `operator` is then its owner.
     * Unset on console requests: tokens are never accepted there.
     */
    apiToken: ApiTokenCaller
    clientIp: string | null
    /** TRUST_PROXY compiled once (proxy-addr). */
    trustProxy: (addr: string, i: number) => boolean
  }
}
