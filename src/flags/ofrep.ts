import type { TenantFlag } from '../db/flags.js'
import type { FlagValue } from '../db/schema.js'
import { hasRules, ofrepReason } from './resolve.js'

// How a flag resolved for a tenant reads in OpenFeature's Remote Evaluation Protocol (OFREP
// 0.3.0, open-feature/protocol service/openapi.yaml). Pure: src/kit-api/ofrep.ts adds HTTP.

/** OFREP `evaluationSuccess`: `value` is always present (Fleetdeck never defers to code defaults). */
export type OfrepSuccess = {
  key: string
  value: FlagValue
  reason: ReturnType<typeof ofrepReason>
  variant: string
  metadata: Record<string, string | boolean | number>
}

/** The error codes OFREP defines (evaluationFailure, flagNotFound, bulkEvaluationFailure). */
export type OfrepErrorCode =
  'PARSE_ERROR' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'FLAG_NOT_FOUND' | 'GENERAL'

/**
 * The variant naming a value: `on`/`off` for a boolean flag, the variant itself for a string
 * flag (OFREP `variant` is a free string identifying the value served).
 */
export function variantOf(value: FlagValue): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off'
  return value
}

/**
 * One flag's OFREP success body for the tenant: reason by `ofrepReason` (archived → DISABLED,
 * override/plan → TARGETING_MATCH, rollout → SPLIT, default → DEFAULT, or STATIC when no rule
 * could match), and `metadata.why` with Fleetdeck's own "why" for people reading logs.
 */
export function toOfrepSuccess({ flag, resolution, override }: TenantFlag): OfrepSuccess {
  const reason = ofrepReason(resolution.why, hasRules(flag, override !== undefined))
  return {
    key: flag.key,
    value: resolution.value,
    reason,
    variant: variantOf(resolution.value),
    metadata: { why: resolution.why, type: flag.type },
  }
}

/** What names the tenant in an evaluation context (`tenantId` wins over `targetingKey`). */
export type OfrepTenantRef =
  { ok: true; ref: string } | { ok: false; code: OfrepErrorCode; details: string }

/**
 * The tenant an OFREP evaluation context names: `tenantId` if given, else `targetingKey`, each
 * a tenant id (uuid) or slug. Refuses a context that is not an object or whose naming values
 * are not non-empty strings (INVALID_CONTEXT), and one that names nothing (TARGETING_KEY_MISSING).
 */
export function tenantRefOf(body: unknown): OfrepTenantRef {
  if (!isObject(body) || !isObject(body.context)) {
    return { ok: false, code: 'INVALID_CONTEXT', details: 'The body needs a "context" object.' }
  }
  const { tenantId, targetingKey } = body.context
  for (const [name, value] of [
    ['tenantId', tenantId],
    ['targetingKey', targetingKey],
  ] as const) {
    if (
      value !== undefined &&
      (typeof value !== 'string' || value.length === 0 || value.length > 200)
    ) {
      return {
        ok: false,
        code: 'INVALID_CONTEXT',
        details: `"${name}" must be a non-empty string.`,
      }
    }
  }
  const ref = (tenantId ?? targetingKey) as string | undefined
  if (ref === undefined) {
    return {
      ok: false,
      code: 'TARGETING_KEY_MISSING',
      details: 'Name the tenant with "targetingKey" or "tenantId" (its id or slug).',
    }
  }
  return { ok: true, ref }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
