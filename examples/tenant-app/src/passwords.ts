import { hash, verify } from '@node-rs/argon2'

// argon2id with the library's defaults (19 MiB, 2 passes: OWASP's password storage minimum).

export function hashPassword(password: string): Promise<string> {
  return hash(password)
}

/** False for a wrong password or an unreadable hash; never throws for either. */
export async function passwordMatches(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

/** Verified when an email has no credentials, so a wrong email costs as long as a wrong password. */
let dummyHash: Promise<string> | undefined
export function dummyPasswordHash(): Promise<string> {
  return (dummyHash ??= hash('no such user, no such password'))
}
