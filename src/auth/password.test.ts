import { describe, expect, it } from 'vitest'
import {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  decoyPasswordHash,
  hashPassword,
  passwordProblem,
  verifyPassword,
} from './password.js'

const ARGON2ID_PREFIX = '$argon2id$v=19$m=19456,t=2,p=1$'

describe('passwordProblem', () => {
  it('accepts twelve characters with four distinct ones', () => {
    expect(passwordProblem('abcdabcdabcd')).toBeUndefined()
    expect(PASSWORD_MIN_LENGTH).toBe(12)
  })

  it('refuses eleven characters', () => {
    expect(passwordProblem('abcdefghijk')).toBe('Use at least 12 characters.')
  })

  it('refuses an empty password', () => {
    expect(passwordProblem('')).toBe('Use at least 12 characters.')
  })

  it('accepts exactly 256 characters and refuses 257', () => {
    const long = 'abcd'.repeat(64)

    expect(PASSWORD_MAX_LENGTH).toBe(256)
    expect(passwordProblem(long)).toBeUndefined()
    expect(passwordProblem(long + 'e')).toBe('Use at most 256 characters.')
  })

  it('refuses one character repeated', () => {
    expect(passwordProblem('a'.repeat(20))).toBe('Use more than three distinct characters.')
  })

  it('refuses three distinct characters however long', () => {
    expect(passwordProblem('abc'.repeat(10))).toBe('Use more than three distinct characters.')
  })

  it('reports the length before the variety', () => {
    expect(passwordProblem('aaa')).toBe('Use at least 12 characters.')
  })

  it('accepts a long passphrase with spaces and non-ASCII letters', () => {
    expect(passwordProblem('correct horse battery staple')).toBeUndefined()
    expect(passwordProblem('Grüße aus Köln, 2026!')).toBeUndefined()
  })
})

describe('hashPassword and verifyPassword', () => {
  it('hashes with argon2id at OWASP baseline cost and a fresh salt each time', async () => {
    const first = await hashPassword('correct horse battery staple')
    const second = await hashPassword('correct horse battery staple')

    expect(first.startsWith(ARGON2ID_PREFIX)).toBe(true)
    expect(first).not.toContain('correct horse')
    expect(second).not.toBe(first)
  })

  it('verifies the right password against its hash', async () => {
    const stored = await hashPassword('correct horse battery staple')

    expect(await verifyPassword(stored, 'correct horse battery staple')).toBe(true)
  })

  it('refuses a wrong password, including one differing only in case or a trailing space', async () => {
    const stored = await hashPassword('correct horse battery staple')

    expect(await verifyPassword(stored, 'correct horse battery stapl')).toBe(false)
    expect(await verifyPassword(stored, 'Correct horse battery staple')).toBe(false)
    expect(await verifyPassword(stored, 'correct horse battery staple ')).toBe(false)
    expect(await verifyPassword(stored, '')).toBe(false)
  })

  it.each([
    ['an empty string', ''],
    ['plain text', 'not-a-hash'],
    ['a truncated argon2id hash', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA'],
    ['a bcrypt hash', '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy'],
  ])('answers false instead of throwing for a malformed hash: %s', async (_what, malformed) => {
    await expect(verifyPassword(malformed, 'correct horse battery staple')).resolves.toBe(false)
  })
})

describe('decoyPasswordHash', () => {
  it('is a real argon2id hash of the same cost, so an unknown email costs a full verify', async () => {
    expect((await decoyPasswordHash()).startsWith(ARGON2ID_PREFIX)).toBe(true)
  })

  it('is computed once and reused', async () => {
    expect(await decoyPasswordHash()).toBe(await decoyPasswordHash())
  })

  it('does not verify a password someone would type', async () => {
    const decoy = await decoyPasswordHash()

    expect(await verifyPassword(decoy, 'correct horse battery staple')).toBe(false)
    expect(await verifyPassword(decoy, '')).toBe(false)
  })
})
