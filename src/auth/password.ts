import { hash, verify } from '@node-rs/argon2'

export const PASSWORD_MIN_LENGTH = 12
export const PASSWORD_MAX_LENGTH = 256

/**
 * Why a password is refused, or undefined when it is acceptable: at least 12 characters
 * (issue #2; OWASP ASVS 5.0 §6.2.1 asks for ≥ 8 and recommends 15), at most 256 so hashing
 * stays bounded, and not just one character repeated.
 */
export function passwordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH)
    return `Use at least ${PASSWORD_MIN_LENGTH} characters.`
  if (password.length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`
  if (new Set(password).size < 4) return 'Use more than three distinct characters.'
  return undefined
}

/** argon2id hash with the library's defaults (19 MiB, t=2, p=1: OWASP's argon2id baseline). */
export function hashPassword(password: string): Promise<string> {
  return hash(password)
}

/** True when `password` matches the argon2 `passwordHash`; false for a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

// A real hash to verify against when the account does not exist, so an unknown email costs
// the same time as a wrong password.
let decoy: Promise<string> | undefined
export function decoyPasswordHash(): Promise<string> {
  decoy ??= hash('fleetdeck-decoy-password')
  return decoy
}
