import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { generateSplitToken, hashSecret, parseSplitToken, secretMatches } from './tokens.js'

const TOKEN_SHAPE = /^[a-z2-7]{32}\.[a-z2-7]{32}$/

describe('generateSplitToken', () => {
  it('makes an id.secret token of two 32-character base32 parts (160 bits each)', () => {
    const { id, secret, token } = generateSplitToken()

    expect(token).toMatch(TOKEN_SHAPE)
    expect(token).toBe(`${id}.${secret}`)
    expect(id).toHaveLength(32)
    expect(secret).toHaveLength(32)
  })

  it('never repeats an id or a secret across many tokens', () => {
    const tokens = Array.from({ length: 500 }, () => generateSplitToken())

    expect(new Set(tokens.map((t) => t.id)).size).toBe(500)
    expect(new Set(tokens.map((t) => t.secret)).size).toBe(500)
    expect(tokens.every((t) => t.id !== t.secret)).toBe(true)
  })
})

describe('parseSplitToken', () => {
  it('gives back the id and secret of a generated token', () => {
    const { id, secret, token } = generateSplitToken()

    expect(parseSplitToken(token)).toEqual({ id, secret })
  })

  it.each([
    ['an empty string', ''],
    ['a token without a dot', 'a'.repeat(64)],
    ['an id one character short', `${'a'.repeat(31)}.${'b'.repeat(32)}`],
    ['a secret one character long', `${'a'.repeat(32)}.${'b'.repeat(33)}`],
    ['upper-case base32', `${'A'.repeat(32)}.${'B'.repeat(32)}`],
    ['characters outside base32 (0, 1, 8, 9)', `${'0'.repeat(32)}.${'1'.repeat(32)}`],
    ['a third part', `${'a'.repeat(32)}.${'b'.repeat(32)}.${'c'.repeat(32)}`],
    ['surrounding whitespace', ` ${'a'.repeat(32)}.${'b'.repeat(32)} `],
    ['a trailing newline', `${'a'.repeat(32)}.${'b'.repeat(32)}\n`],
  ])('refuses %s', (_what, token) => {
    expect(parseSplitToken(token)).toBeUndefined()
  })
})

describe('hashSecret', () => {
  it('is sha256 of the UTF-8 secret', () => {
    expect(Buffer.from(hashSecret('abc')).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
    const { secret } = generateSplitToken()
    expect(Buffer.from(hashSecret(secret))).toEqual(createHash('sha256').update(secret).digest())
  })
})

describe('secretMatches', () => {
  it('accepts the secret whose hash is stored', () => {
    const { secret } = generateSplitToken()

    expect(secretMatches(secret, hashSecret(secret))).toBe(true)
  })

  it('accepts a stored hash that comes back from the database as a Buffer', () => {
    const { secret } = generateSplitToken()
    const fromDatabase = Buffer.from(hashSecret(secret))

    expect(secretMatches(secret, fromDatabase)).toBe(true)
  })

  it('refuses a different secret', () => {
    const stored = hashSecret(generateSplitToken().secret)

    expect(secretMatches(generateSplitToken().secret, stored)).toBe(false)
  })

  it('refuses when the stored hash differs in a single bit', () => {
    const { secret } = generateSplitToken()
    const stored = hashSecret(secret)
    stored[31] ^= 1

    expect(secretMatches(secret, stored)).toBe(false)
  })

  it('refuses a stored value of the wrong length', () => {
    const { secret } = generateSplitToken()

    expect(secretMatches(secret, hashSecret(secret).subarray(0, 16))).toBe(false)
    expect(secretMatches(secret, new Uint8Array(0))).toBe(false)
  })
})
