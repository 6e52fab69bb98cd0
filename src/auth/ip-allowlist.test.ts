import { describe, expect, it } from 'vitest'
import { allowlistEntryProblem, isAllowed, parseAllowlist } from './ip-allowlist.js'

describe('allowlistEntryProblem', () => {
  it('accepts single IPv4 and IPv6 addresses and CIDR ranges', () => {
    for (const entry of [
      '203.0.113.7',
      '203.0.113.0/24',
      '10.0.0.0/8',
      '2001:db8::1',
      '2001:db8::/32',
    ]) {
      expect([entry, allowlistEntryProblem(entry)]).toEqual([entry, undefined])
    }
  })

  it('refuses host names, keywords, bad prefixes and partial addresses', () => {
    for (const entry of [
      'example.com',
      'loopback',
      '10.0.0.0/33',
      '1.2.3',
      '203.0.113.7/',
      '*',
      '',
    ]) {
      expect([entry, allowlistEntryProblem(entry)]).toEqual([
        entry,
        `“${entry}” is not an IP address or CIDR range.`,
      ])
    }
  })

  it('refuses octal and integer forms that would silently mean another address', () => {
    // proxy-addr reads "010.0.0.1" as 8.0.0.1 and "167772161" as 10.0.0.1.
    for (const entry of ['010.0.0.1', '010.0.0.0/8', '167772161', '0x0a.0.0.1']) {
      expect([entry, allowlistEntryProblem(entry)]).toEqual([
        entry,
        `“${entry}” is not an IP address or CIDR range.`,
      ])
    }
  })
})

describe('parseAllowlist', () => {
  it('splits on new lines, commas and spaces, and drops blanks and duplicates', () => {
    const text = '203.0.113.0/24\r\n\n  198.51.100.7, 203.0.113.0/24 2001:db8::/32\n'

    expect(parseAllowlist(text)).toEqual({
      entries: ['203.0.113.0/24', '198.51.100.7', '2001:db8::/32'],
    })
  })

  it('an empty text is an empty list (no restriction)', () => {
    expect(parseAllowlist('  \n ')).toEqual({ entries: [] })
  })

  it('reports the first entry that is not an address', () => {
    expect(parseAllowlist('203.0.113.0/24\nintranet.local\n300.1.1.1')).toEqual({
      problem: '“intranet.local” is not an IP address or CIDR range.',
    })
  })

  it('refuses more than 200 entries', () => {
    const text = Array.from(
      { length: 201 },
      (_, i) => `10.0.${Math.floor(i / 250)}.${i % 250}`,
    ).join('\n')

    expect(parseAllowlist(text)).toEqual({ problem: 'Use at most 200 entries.' })
  })
})

describe('isAllowed', () => {
  it('an empty list lets every address through, even an unknown one', () => {
    expect(isAllowed([], '198.51.100.9')).toBe(true)
    expect(isAllowed([], null)).toBe(true)
  })

  it('a list never lets an unknown address through, not even one covering every address', () => {
    expect(isAllowed(['0.0.0.0/0', '::/0'], null)).toBe(false)
    expect(isAllowed(['203.0.113.0/24'], '')).toBe(false)
  })

  it('a list lets through addresses inside its ranges and refuses the rest', () => {
    const list = ['203.0.113.0/24', '198.51.100.7', '2001:db8::/32']

    expect(isAllowed(list, '203.0.113.250')).toBe(true)
    expect(isAllowed(list, '198.51.100.7')).toBe(true)
    expect(isAllowed(list, '2001:db8:1::9')).toBe(true)
    expect(isAllowed(list, '203.0.114.1')).toBe(false)
    expect(isAllowed(list, '198.51.100.8')).toBe(false)
    expect(isAllowed(list, '2001:db9::1')).toBe(false)
  })

  it('an IPv4-mapped IPv6 address matches its IPv4 range', () => {
    expect(isAllowed(['203.0.113.0/24'], '::ffff:203.0.113.7')).toBe(true)
    expect(isAllowed(['203.0.113.0/24'], '::ffff:198.51.100.7')).toBe(false)
  })

  it('an unknown or malformed client address is refused by a non-empty list', () => {
    expect(isAllowed(['0.0.0.0/1', '128.0.0.0/1'], null)).toBe(false)
    expect(isAllowed(['0.0.0.0/1', '128.0.0.0/1'], 'not-an-address')).toBe(false)
  })

  it('a stored list that no longer parses refuses everyone rather than throwing', () => {
    expect(isAllowed(['garbage'], '203.0.113.7')).toBe(false)
  })
})
