import type { Db } from '../db/database.js'
import {
  findUnusedEnrolmentToken,
  insertEnrolmentToken,
  markEnrolmentTokenUsed,
  markUnusedTokensUsed,
  type EnrolmentPurpose,
} from '../db/enrolment-tokens.js'
import { generateSplitToken, hashSecret, parseSplitToken, secretMatches } from './tokens.js'

/** Setup and enrolment links are valid for one hour (issue #2). */
export const ENROLMENT_TTL_SECONDS = 3600
/** Invitations sent by email are valid for 72 hours (issue #3). */
export const INVITATION_TTL_SECONDS = 72 * 3600

export type { EnrolmentPurpose } from '../db/enrolment-tokens.js'

export type EnrolmentToken = {
  id: string
  purpose: EnrolmentPurpose
  superAdminId: string | null
  expiresAt: Date
}

/**
 * Creates a one-time link token: `setup` (no super admin exists yet; the link creates the first
 * owner), `enrolment` (CLI-created admin) or `invitation` (invited by an owner; 72 h) — the last
 * two for an existing admin without password and TOTP. Only sha256 of the
 * secret is stored.
 * @returns the token for the URL `/enrol/<token>`
 */
export async function createEnrolmentToken(
  db: Db,
  purpose: EnrolmentPurpose,
  superAdminId: string | null,
  now: Date = new Date(),
  ttlSeconds: number = ENROLMENT_TTL_SECONDS,
): Promise<string> {
  const { id, secret, token } = generateSplitToken()
  await insertEnrolmentToken(db, {
    id,
    secretHash: hashSecret(secret),
    purpose,
    superAdminId,
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
  })
  return token
}

/** The token's details when it is well-formed, unused, unexpired and its secret matches. */
export async function findUsableEnrolmentToken(
  db: Db,
  token: string,
  now: Date = new Date(),
): Promise<EnrolmentToken | undefined> {
  const parts = parseSplitToken(token)
  if (!parts) return undefined
  const row = await findUnusedEnrolmentToken(db, parts.id, now)
  if (!row || !secretMatches(parts.secret, row.secretHash)) return undefined
  return {
    id: row.id,
    purpose: row.purpose,
    superAdminId: row.superAdminId,
    expiresAt: row.expiresAt,
  }
}

/**
 * Marks the token used in one compare-and-set statement; only one of two racing requests wins.
 * @returns true when this call consumed it.
 */
export async function consumeEnrolmentToken(
  db: Db,
  id: string,
  now: Date = new Date(),
): Promise<boolean> {
  return markEnrolmentTokenUsed(db, id, now)
}

/** Marks every unused setup link as used, so only the link printed next works. */
export async function withdrawSetupLinks(db: Db, now: Date = new Date()): Promise<void> {
  await markUnusedTokensUsed(db, 'setup', now)
}
