import { describe, expect, it } from 'vitest'
import { compileTrustProxy, normaliseIp, resolveClientIp } from './client-ip.js'

describe('compileTrustProxy', () => {
  it('false (the default) and an empty setting trust no proxy at all', () => {
    for (const setting of ['false', '', '  ']) {
      const trust = compileTrustProxy(setting)
      expect([setting, trust('127.0.0.1', 0), trust('10.0.0.1', 0)]).toEqual([
        setting,
        false,
        false,
      ])
    }
  })

  it('loopback trusts 127.0.0.0/8 and ::1 only', () => {
    const trust = compileTrustProxy('loopback')

    expect(trust('127.0.0.1', 0)).toBe(true)
    expect(trust('::1', 0)).toBe(true)
    expect(trust('10.0.0.1', 0)).toBe(false)
  })

  it('a comma-separated list of CIDRs trusts exactly those ranges', () => {
    const trust = compileTrustProxy('10.0.0.0/8, 192.0.2.10')

    expect(trust('10.9.9.9', 0)).toBe(true)
    expect(trust('192.0.2.10', 0)).toBe(true)
    expect(trust('192.0.2.11', 0)).toBe(false)
  })

  it('throws for a value proxy-addr cannot read (config refuses to start)', () => {
    expect(() => compileTrustProxy('true')).toThrow()
    expect(() => compileTrustProxy('10.0.0.0/40')).toThrow()
  })
})

describe('resolveClientIp', () => {
  const trustNone = compileTrustProxy('false')
  const trustLoopback = compileTrustProxy('loopback')

  it('without a socket the address is unknown', () => {
    expect(resolveClientIp(undefined, '203.0.113.7', trustLoopback)).toBeNull()
  })

  it('a spoofed X-Forwarded-For from an untrusted peer is ignored', () => {
    expect(resolveClientIp('198.51.100.9', '203.0.113.7', trustNone)).toBe('198.51.100.9')
    expect(resolveClientIp('198.51.100.9', '203.0.113.7', trustLoopback)).toBe('198.51.100.9')
    expect(resolveClientIp('127.0.0.1', '203.0.113.7', trustNone)).toBe('127.0.0.1')
  })

  it('X-Forwarded-For from a trusted peer is honoured', () => {
    expect(resolveClientIp('127.0.0.1', '203.0.113.7', trustLoopback)).toBe('203.0.113.7')
  })

  it('takes the right-most untrusted address, so a client cannot prepend its own', () => {
    // The client sent "X-Forwarded-For: 203.0.113.7"; the proxy appended the real peer.
    expect(resolveClientIp('127.0.0.1', '203.0.113.7, 198.51.100.9', trustLoopback)).toBe(
      '198.51.100.9',
    )
  })

  it('walks through a chain of trusted proxies', () => {
    const trust = compileTrustProxy('10.0.0.0/8')

    expect(resolveClientIp('10.0.0.2', '203.0.113.7, 10.0.0.1', trust)).toBe('203.0.113.7')
  })

  it('a trusted peer without X-Forwarded-For is the client itself', () => {
    expect(resolveClientIp('127.0.0.1', undefined, trustLoopback)).toBe('127.0.0.1')
  })

  it('an IPv4-mapped IPv6 peer is reported in its IPv4 form', () => {
    expect(resolveClientIp('::ffff:198.51.100.9', undefined, trustNone)).toBe('198.51.100.9')
  })
})

describe('normaliseIp', () => {
  it('strips the IPv4-mapped prefix and leaves other addresses alone', () => {
    expect(normaliseIp('::ffff:127.0.0.1')).toBe('127.0.0.1')
    expect(normaliseIp('::ffff:abcd')).toBe('::ffff:abcd')
    expect(normaliseIp('2001:db8::1')).toBe('2001:db8::1')
    expect(normaliseIp('203.0.113.7')).toBe('203.0.113.7')
  })
})
