// @fleetdeck/kit: connects a tenant app to Fleetdeck over the kit API (PROTOCOL.md). The Hono
// middleware is '@fleetdeck/kit/hono'.

export { createKit, type Kit, type KitOptions } from './kit.js'
export { KitError } from './client.js'
export type { TenantResolution } from './tenants.js'
export type { MemberCheck, MemberLookup } from './members.js'
export { entitlementsOf, type Entitlements } from './entitlements.js'
export { bannerFor, END_PATH, type Banner } from './banner.js'
export { HANDOFF_TYP, type HandoffClaims } from './handoff.js'
export type { SignInRecord } from './sign-ins.js'
export type { SignedUpTenant, SignUpInput, SignUpRefused, SignupSettings } from './signup.js'
export type { AuditEntryInput } from './audit.js'
export type { ApiUsageRecorded } from './api-usage.js'
export { MAX_CACHE_MS } from './cache.js'
export { DEFAULT_CACHE_MS } from './kit.js'
export type {
  FlagValue,
  Impersonation,
  KitMember,
  KitTenant,
  QuotaKind,
  Quotas,
  TenantStatus,
  Usage,
} from './types.js'
