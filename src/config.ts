import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import { listTenantMigrationFiles } from './db/migrate.js'
import { compileTrustProxy } from './web/client-ip.js'

/** Node's timers hold at most 2^31 - 1 ms (24.8 days); past that a timer fires after 1 ms. */
export const MAX_TIMER_MINUTES = Math.floor((2 ** 31 - 1) / 60_000)

/** A whole number in [min, max], with a message that names the range and its unit. */
/** DEMO_STRIPE_WEBHOOK_SECRET of src/demo/demo-billing.ts; refused in production (below). */
const DEMO_SECRET = 'whsec_fleetdeck_demo_development_only'

const intIn = (fallback: number, min: number, max: number, unit: string, why = '') =>
  z.coerce
    .number({ error: `must be a whole number of ${unit}` })
    .int({ error: `must be a whole number of ${unit}` })
    .min(min, { error: `must be between ${min} and ${max} ${unit}` })
    .max(max, { error: `must be between ${min} and ${max} ${unit}${why}` })
    .default(fallback)

/**
 * Comma-separated folders of tenant migrations beyond `migrations/tenant` (a tenant app's own
 * tables), relative to the working directory; each must exist, and no file name may be in two.
 */
const tenantMigrationDirs = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((dir) => dir.trim())
      .filter(Boolean)
      .map((dir) => resolve(dir)),
  )
  .superRefine((dirs, ctx) => {
    const missing = dirs.filter((dir) => !isDirectory(dir))
    for (const dir of missing) ctx.addIssue({ code: 'custom', message: `no such folder: ${dir}` })
    if (missing.length > 0) return
    try {
      listTenantMigrationFiles(dirs)
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message })
    }
  })

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** Identity providers an operator may sign in through (issue 14; `oidc` = any OIDC issuer with discovery). */
export const SSO_PROVIDER_IDS = ['google', 'microsoft-entra-id', 'github', 'oidc'] as const
export type SsoProviderId = (typeof SSO_PROVIDER_IDS)[number]

const SSO_REQUIRED_ENV = {
  google: ['SSO_GOOGLE_CLIENT_ID', 'SSO_GOOGLE_CLIENT_SECRET'],
  'microsoft-entra-id': [
    'SSO_MICROSOFT_TENANT',
    'SSO_MICROSOFT_CLIENT_ID',
    'SSO_MICROSOFT_CLIENT_SECRET',
  ],
  github: ['SSO_GITHUB_CLIENT_ID', 'SSO_GITHUB_CLIENT_SECRET'],
  oidc: ['SSO_OIDC_ISSUER', 'SSO_OIDC_CLIENT_ID', 'SSO_OIDC_CLIENT_SECRET'],
} as const satisfies Record<SsoProviderId, readonly string[]>

/** One configured identity provider (SSO_PROVIDERS and its SSO_* variables). */
export type SsoProviderConfig =
  | { id: 'google'; clientId: string; clientSecret: string }
  | { id: 'microsoft-entra-id'; tenant: string; clientId: string; clientSecret: string }
  | { id: 'github'; clientId: string; clientSecret: string }
  | { id: 'oidc'; name: string; issuer: string; clientId: string; clientSecret: string }

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    FLEETDECK_DATA_DIR: z.string().min(1).default('./data'),
    FLEETDECK_SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    SESSION_IDLE_MINUTES: intIn(30, 1, 24 * 60, 'minutes'),
    SESSION_ABSOLUTE_HOURS: intIn(12, 1, 30 * 24, 'hours'),
    STORAGE_SNAPSHOT_MINUTES: intIn(
      10,
      1,
      MAX_TIMER_MINUTES,
      'minutes',
      ' (a longer interval overflows the timer)',
    ),
    DATABASE_QUEUE_LIMIT: intIn(64, 1, 10_000, 'requests'),
    TRUST_PROXY: z
      .string()
      .default('false')
      .refine(
        (value) => trustProxyValid(value),
        'must be false, loopback, or a comma-separated list of CIDRs',
      ),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .optional(),
    MAIL_FROM: z.string().min(3).default('Fleetdeck <fleetdeck@localhost>'),
    TENANT_MIGRATION_DIRS: tenantMigrationDirs,
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    GRAFANA_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
    BACKUP_DIR: z.string().min(1).optional(),
    BACKUP_RETENTION: intIn(7, 1, 1000, 'backups'),
    TENANT_PURGE_GRACE_DAYS: intIn(14, 1, 365, 'days'),
    JOB_WORKERS: intIn(2, 1, 8, 'workers'),
    JOB_LEASE_SECONDS: intIn(60, 5, 3600, 'seconds'),
    STRIPE_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_\S{8,}$/, 'must be a Stripe signing secret (whsec_…)')
      .optional(),
    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(sk|rk)_(test|live)_\S{8,}$/, 'must be a Stripe secret or restricted key')
      .optional(),
    STRIPE_API_URL: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .default('https://api.stripe.com'),
    SSO_PROVIDERS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z.enum(SSO_PROVIDER_IDS, { error: `must list some of ${SSO_PROVIDER_IDS.join(', ')}` }),
        ),
      ),
    SSO_GOOGLE_CLIENT_ID: z.string().min(1).optional(),
    SSO_GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
    SSO_MICROSOFT_TENANT: z.string().min(1).optional(),
    SSO_MICROSOFT_CLIENT_ID: z.string().min(1).optional(),
    SSO_MICROSOFT_CLIENT_SECRET: z.string().min(1).optional(),
    SSO_GITHUB_CLIENT_ID: z.string().min(1).optional(),
    SSO_GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
    SSO_OIDC_ISSUER: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    SSO_OIDC_CLIENT_ID: z.string().min(1).optional(),
    SSO_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    SSO_OIDC_NAME: z.string().min(1).max(40).default('single sign-on'),
    AUDIT_CHECKPOINT_DIR: z.string().min(1).optional(),
    AUDIT_CHECKPOINT_MAIL_TO: z
      .string()
      .regex(
        /^[^\s,@]+@[^\s,@]+(,\s*[^\s,@]+@[^\s,@]+)*$/,
        'must be one or more e-mail addresses, comma-separated',
      )
      .optional(),
    API_RATE_LIMIT_PER_MINUTE: intIn(120, 1, 100_000, 'requests per minute'),
  })
  .superRefine((env, ctx) => {
    for (const provider of env.SSO_PROVIDERS) {
      for (const name of SSO_REQUIRED_ENV[provider]) {
        if (!env[name]) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `is required when SSO_PROVIDERS lists ${provider}`,
          })
        }
      }
    }
  })
  .refine((env) => env.NODE_ENV !== 'production' || env.FLEETDECK_SECRET_KEY, {
    path: ['FLEETDECK_SECRET_KEY'],
    message: 'is required when NODE_ENV=production',
  })
  // Without an https address, production cookies would travel without Secure and without HSTS.
  .refine((env) => env.NODE_ENV !== 'production' || env.PUBLIC_URL?.startsWith('https://'), {
    path: ['PUBLIC_URL'],
    message: 'must be an https:// URL when NODE_ENV=production',
  })
  // The demo's published signing secret (same literal as DEMO_STRIPE_WEBHOOK_SECRET in
  // src/demo/demo-billing.ts, duplicated so config never imports demo code): anyone could sign
  // webhooks with it, so production refuses it.
  .refine((env) => env.NODE_ENV !== 'production' || env.STRIPE_WEBHOOK_SECRET !== DEMO_SECRET, {
    path: ['STRIPE_WEBHOOK_SECRET'],
    message: 'is the public demo secret; use the endpoint secret from Stripe in production',
  })

export type Config = {
  env: 'development' | 'production' | 'test'
  port: number
  host: string
  databaseUrl: string | undefined
  dataDir: string
  secretKey: string
  publicUrl: string
  /** True when PUBLIC_URL was given: requests must then name its host (DNS-rebinding defence). */
  publicUrlExplicit: boolean
  /** True when PUBLIC_URL is https: cookies get Secure and the __Host- prefix. */
  secureCookies: boolean
  sessionIdleSeconds: number
  sessionAbsoluteSeconds: number
  storageSnapshotSeconds: number
  /**
   * Requests that may wait for the database beyond those it is serving (the embedded database
   * serves one at a time); more get 503 with Retry-After instead of an unbounded queue.
   */
  databaseQueueLimit: number
  /** TRUST_PROXY as given: `false`, `loopback`, or CIDRs (see src/web/client-ip.ts). */
  trustProxy: string
  /** smtp(s):// URL for invitations; undefined = the development outbox shown in the console. */
  smtpUrl: string | undefined
  mailFrom: string
  /**
   * TENANT_MIGRATION_DIRS as absolute folders (existing, no file name in two): their migrations
   * run in every tenant schema with `migrations/tenant/*`; [] when unset.
   */
  tenantMigrationDirs: string[]
  /** pino's level for the JSON log lines (LOG_LEVEL, default info). */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** Bearer token Prometheus sends to /metrics; undefined = loopback scrapers only. */
  metricsToken: string | undefined
  /** A Grafana dashboard the health page links to (seed 002), when the cluster has one. */
  grafanaUrl: string | undefined
  /** redis(s):// URL: the health page then shows Redis memory. */
  redisUrl: string | undefined
  /** Where tenant backups are written (BACKUP_DIR, absolute; default `<data dir>/backups`). */
  backupDir: string
  /** Backups kept per tenant; older ones are removed after a new one (BACKUP_RETENTION, 7). */
  backupRetention: number
  /** Days a deleted tenant can be restored before it is purged (TENANT_PURGE_GRACE_DAYS, 14). */
  purgeGraceDays: number
  /** Job items this instance runs at once across all runs (JOB_WORKERS, 2; each run has its own cap). */
  jobWorkers: number
  /** Seconds a claimed job item is leased; renewed while it runs, re-claimed once lapsed (60). */
  jobLeaseSeconds: number
  /** Signing secret of the Stripe webhook endpoint; undefined = /webhooks/stripe answers 503. */
  stripeWebhookSecret: string | undefined
  /** Key for Stripe's API (out-of-band payment, retry); undefined = those actions are refused. */
  stripeSecretKey: string | undefined
  /** Stripe's API address (STRIPE_API_URL; a local server in tests): the SDK's host/port/protocol. */
  stripeApiUrl: string
  /** Identity providers offered on the sign-in page, in SSO_PROVIDERS order ([] = none). */
  ssoProviders: SsoProviderConfig[]
  /** Folder the signed audit checkpoints are written to (AUDIT_CHECKPOINT_DIR, absolute; default `<data dir>/checkpoints`). */
  auditCheckpointDir: string
  /** Addresses each checkpoint is mailed to (AUDIT_CHECKPOINT_MAIL_TO); [] = not mailed. */
  auditCheckpointMailTo: string[]
  /** Requests per minute one API token may make (API_RATE_LIMIT_PER_MINUTE, 120). */
  apiRateLimitPerMinute: number
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'))
  }
}

/**
 * Parses the environment into a Config.
 * In development, a missing FLEETDECK_SECRET_KEY is generated once into `<data dir>/secret.key`
 * (with a warning through `warn`); in production it is required.
 * @throws ConfigError with one line per problem, e.g. `PORT: must be ≤ 65535`.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  warn: (line: string) => void = console.warn,
): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''))
  const parsed = envSchema.safeParse(cleaned)
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`),
    )
  }
  const e = parsed.data
  const dataDir = resolve(e.FLEETDECK_DATA_DIR)
  const publicUrl = (e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/+$/, '')
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    secretKey: e.FLEETDECK_SECRET_KEY ?? developmentSecretKey(dataDir, warn),
    publicUrl,
    publicUrlExplicit: e.PUBLIC_URL !== undefined,
    secureCookies: publicUrl.startsWith('https://'),
    sessionIdleSeconds: e.SESSION_IDLE_MINUTES * 60,
    sessionAbsoluteSeconds: e.SESSION_ABSOLUTE_HOURS * 3600,
    storageSnapshotSeconds: e.STORAGE_SNAPSHOT_MINUTES * 60,
    databaseQueueLimit: e.DATABASE_QUEUE_LIMIT,
    trustProxy: e.TRUST_PROXY,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    tenantMigrationDirs: e.TENANT_MIGRATION_DIRS,
    logLevel: e.LOG_LEVEL,
    metricsToken: e.METRICS_TOKEN,
    grafanaUrl: e.GRAFANA_URL,
    redisUrl: e.REDIS_URL,
    backupDir: resolve(e.BACKUP_DIR ?? join(dataDir, 'backups')),
    backupRetention: e.BACKUP_RETENTION,
    purgeGraceDays: e.TENANT_PURGE_GRACE_DAYS,
    jobWorkers: e.JOB_WORKERS,
    jobLeaseSeconds: e.JOB_LEASE_SECONDS,
    stripeWebhookSecret: e.STRIPE_WEBHOOK_SECRET,
    stripeSecretKey: e.STRIPE_SECRET_KEY,
    stripeApiUrl: e.STRIPE_API_URL.replace(/\/+$/, ''),
    ssoProviders: e.SSO_PROVIDERS.map((id) => ssoProvider(id, e)),
    auditCheckpointDir: resolve(e.AUDIT_CHECKPOINT_DIR ?? join(dataDir, 'checkpoints')),
    auditCheckpointMailTo: (e.AUDIT_CHECKPOINT_MAIL_TO ?? '')
      .split(',')
      .map((address) => address.trim())
      .filter(Boolean),
    apiRateLimitPerMinute: e.API_RATE_LIMIT_PER_MINUTE,
  }
}

/** The provider's settings; the superRefine above made sure each required one is present. */
function ssoProvider(id: SsoProviderId, e: z.infer<typeof envSchema>): SsoProviderConfig {
  switch (id) {
    case 'google':
      return { id, clientId: e.SSO_GOOGLE_CLIENT_ID!, clientSecret: e.SSO_GOOGLE_CLIENT_SECRET! }
    case 'microsoft-entra-id':
      return {
        id,
        tenant: e.SSO_MICROSOFT_TENANT!,
        clientId: e.SSO_MICROSOFT_CLIENT_ID!,
        clientSecret: e.SSO_MICROSOFT_CLIENT_SECRET!,
      }
    case 'github':
      return { id, clientId: e.SSO_GITHUB_CLIENT_ID!, clientSecret: e.SSO_GITHUB_CLIENT_SECRET! }
    case 'oidc':
      return {
        id,
        name: e.SSO_OIDC_NAME,
        issuer: e.SSO_OIDC_ISSUER!.replace(/\/+$/, ''),
        clientId: e.SSO_OIDC_CLIENT_ID!,
        clientSecret: e.SSO_OIDC_CLIENT_SECRET!,
      }
  }
}

function trustProxyValid(value: string): boolean {
  try {
    compileTrustProxy(value)
    return true
  } catch {
    return false
  }
}

function developmentSecretKey(dataDir: string, warn: (line: string) => void): string {
  const file = join(dataDir, 'secret.key')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const key = randomBytes(32).toString('base64url')
  writeFileSync(file, key + '\n', { mode: 0o600 })
  warn(`FLEETDECK_SECRET_KEY is not set: generated one into ${file} (development only)`)
  return key
}
