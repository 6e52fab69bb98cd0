import { generateHOTP } from '@oslojs/otp'
import { createTOTPKeyURI } from '@oslojs/otp'
import { constantTimeEqual } from '@oslojs/crypto/subtle'
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding'
import { randomBytes } from 'node:crypto'

/** RFC 6238 defaults that every authenticator app understands: 30 s steps, 6 digits, SHA-1. */
export const TOTP_PERIOD_SECONDS = 30
export const TOTP_DIGITS = 6

/** A new 160-bit TOTP key (RFC 4226 §4 recommends 160 bits). */
export function generateTotpKey(): Uint8Array {
  return new Uint8Array(randomBytes(20))
}

/** The key as authenticator apps show and `oathtool -b` takes it: base32, no padding. */
export function totpKeyToBase32(key: Uint8Array): string {
  return encodeBase32UpperCaseNoPadding(key)
}

/** otpauth:// URI for the enrolment QR code. */
export function totpKeyUri(accountName: string, key: Uint8Array): string {
  return createTOTPKeyURI('Fleetdeck', accountName, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS)
}

/** The RFC 6238 time step (T) for a time in milliseconds since the epoch. */
export function totpStepAt(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS)
}

/**
 * Checks a code against the steps T-1, T and T+1 (RFC 6238 §5.2 allows one step of drift each
 * way) and returns the step it matched, or undefined. The caller must then consume that step
 * atomically (`consumeTotpStep`) so each step is accepted once (RFC 6238 §5.2, last paragraph).
 * Steps at or below `lastUsedStep` never match.
 */
export function matchTotpStep(
  key: Uint8Array,
  code: string,
  nowMs: number,
  lastUsedStep: number | null = null,
  digits: number = TOTP_DIGITS,
): number | undefined {
  const cleaned = code.replace(/\s+/g, '')
  if (!new RegExp(`^\\d{${digits}}$`).test(cleaned)) return undefined
  const current = totpStepAt(nowMs)
  const presented = new TextEncoder().encode(cleaned)
  let matched: number | undefined
  for (const step of [current - 1, current, current + 1]) {
    const expected = new TextEncoder().encode(generateHOTP(key, BigInt(step), digits))
    // Compare every candidate so timing does not reveal which step matched.
    if (constantTimeEqual(expected, presented) && matched === undefined) matched = step
  }
  if (matched === undefined) return undefined
  return lastUsedStep !== null && matched <= lastUsedStep ? undefined : matched
}

export type TotpCheck = { ok: true; step: number } | { ok: false; replayed: boolean }

/**
 * Like `matchTotpStep`, but tells a wrong code from a replayed one: a code that is valid for a
 * step at or below `lastUsedStep` was already accepted once (RFC 6238 §5.2) — someone may have
 * seen it. The caller still consumes `step` atomically.
 */
export function checkTotpCode(
  key: Uint8Array,
  code: string,
  nowMs: number,
  lastUsedStep: number | null,
): TotpCheck {
  const step = matchTotpStep(key, code, nowMs, null)
  if (step === undefined) return { ok: false, replayed: false }
  if (lastUsedStep !== null && step <= lastUsedStep) return { ok: false, replayed: true }
  return { ok: true, step }
}
