import { execFileSync } from 'node:child_process'
import { generateHOTP } from '@oslojs/otp'
import { describe, expect, it } from 'vitest'
import {
  TOTP_DIGITS,
  TOTP_PERIOD_SECONDS,
  generateTotpKey,
  matchTotpStep,
  totpKeyToBase32,
  totpKeyUri,
  totpStepAt,
} from './totp.js'

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890", 8 digits.
const RFC_KEY = new TextEncoder().encode('12345678901234567890')
const RFC_VECTORS: [seconds: number, code: string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
]

/** The 6-digit code for `step`, as an authenticator app would show it. */
function codeAt(key: Uint8Array, step: number): string {
  return generateHOTP(key, BigInt(step), TOTP_DIGITS)
}

// An instant in the middle of a step, so ±1 step never crosses a boundary by accident.
const NOW_MS = 1_700_000_015_000
const T = totpStepAt(NOW_MS)

function oathtool(...args: string[]): string {
  try {
    return execFileSync('oathtool', args, { encoding: 'utf8' }).trim()
  } catch (error) {
    const cause = error as NodeJS.ErrnoException
    if (cause.code === 'ENOENT') {
      throw new Error('oathtool is not installed; run `apt-get install -y oathtool`', { cause })
    }
    throw error
  }
}

describe('RFC 6238 Appendix B test vectors (SHA-1)', () => {
  it.each(RFC_VECTORS)('@oslojs/otp generateHOTP gives the code for T = %i s', (seconds, code) => {
    expect(generateHOTP(RFC_KEY, BigInt(Math.floor(seconds / 30)), 8)).toBe(code)
  })

  it.each(RFC_VECTORS)('matchTotpStep accepts the code at T = %i s', (seconds, code) => {
    expect(matchTotpStep(RFC_KEY, code, seconds * 1000, null, 8)).toBe(Math.floor(seconds / 30))
  })

  it.each(RFC_VECTORS)(
    'matchTotpStep refuses the code of T = %i s one digit off',
    (seconds, code) => {
      const wrong = code.slice(0, 7) + ((Number(code[7]) + 1) % 10)

      expect(matchTotpStep(RFC_KEY, wrong, seconds * 1000, null, 8)).toBeUndefined()
    },
  )
})

describe('totpStepAt', () => {
  it('counts 30-second steps from the epoch', () => {
    expect(TOTP_PERIOD_SECONDS).toBe(30)
    expect(totpStepAt(0)).toBe(0)
    expect(totpStepAt(29_999)).toBe(0)
    expect(totpStepAt(30_000)).toBe(1)
    expect(totpStepAt(59_000)).toBe(1)
    expect(totpStepAt(1_111_111_109_000)).toBe(37_037_036)
  })
})

describe('matchTotpStep', () => {
  // Fixed keys keep the test deterministic: no code of `other` collides with `key` near T.
  const key = Uint8Array.from({ length: 20 }, (_, i) => i + 1)
  const other = Uint8Array.from({ length: 20 }, (_, i) => 200 - i)

  it('accepts the current step and returns it', () => {
    expect(matchTotpStep(key, codeAt(key, T), NOW_MS)).toBe(T)
  })

  it('accepts one step of drift each way and returns the step that matched', () => {
    expect(matchTotpStep(key, codeAt(key, T - 1), NOW_MS)).toBe(T - 1)
    expect(matchTotpStep(key, codeAt(key, T + 1), NOW_MS)).toBe(T + 1)
  })

  it('refuses codes two steps away', () => {
    expect(matchTotpStep(key, codeAt(key, T - 2), NOW_MS)).toBeUndefined()
    expect(matchTotpStep(key, codeAt(key, T + 2), NOW_MS)).toBeUndefined()
  })

  it('accepts the first and last millisecond of the step', () => {
    const start = T * 30_000

    expect(matchTotpStep(key, codeAt(key, T), start)).toBe(T)
    expect(matchTotpStep(key, codeAt(key, T), start + 29_999)).toBe(T)
    expect(matchTotpStep(key, codeAt(key, T - 2), start + 29_999)).toBeUndefined()
  })

  it('refuses a code of another key', () => {
    expect(matchTotpStep(other, codeAt(other, T), NOW_MS)).toBe(T)
    expect(matchTotpStep(key, codeAt(other, T), NOW_MS)).toBeUndefined()
  })

  it('refuses a code of the step already used, and of any earlier step', () => {
    expect(matchTotpStep(key, codeAt(key, T), NOW_MS, T)).toBeUndefined()
    expect(matchTotpStep(key, codeAt(key, T - 1), NOW_MS, T - 1)).toBeUndefined()
    expect(matchTotpStep(key, codeAt(key, T - 1), NOW_MS, T)).toBeUndefined()
    expect(matchTotpStep(key, codeAt(key, T), NOW_MS, T + 1)).toBeUndefined()
  })

  it('accepts a step after the last used one', () => {
    expect(matchTotpStep(key, codeAt(key, T), NOW_MS, T - 1)).toBe(T)
    expect(matchTotpStep(key, codeAt(key, T + 1), NOW_MS, T)).toBe(T + 1)
  })

  it('ignores spaces that people type or paste inside the code', () => {
    const code = codeAt(key, T)

    expect(matchTotpStep(key, `${code.slice(0, 3)} ${code.slice(3)}`, NOW_MS)).toBe(T)
    expect(matchTotpStep(key, ` ${code}\n`, NOW_MS)).toBe(T)
  })

  it.each([
    ['an empty code', ''],
    ['letters', 'abcdef'],
    ['a letter among digits', '12345a'],
    ['five digits', '12345'],
    ['seven digits', '1234567'],
    ['a sign', '+12345'],
    ['full-width digits', '１２３４５６'],
    ['a dash', '123-456'],
  ])('refuses %s without matching', (_what, code) => {
    expect(matchTotpStep(key, code, NOW_MS)).toBeUndefined()
  })

  it('refuses the right code with a digit appended or removed', () => {
    const code = codeAt(key, T)

    expect(matchTotpStep(key, code + '0', NOW_MS)).toBeUndefined()
    expect(matchTotpStep(key, code.slice(1), NOW_MS)).toBeUndefined()
  })
})

describe('generateTotpKey and totpKeyToBase32', () => {
  it('makes a fresh 160-bit key each time', () => {
    const first = generateTotpKey()
    const second = generateTotpKey()

    expect(first).toBeInstanceOf(Uint8Array)
    expect(first).toHaveLength(20)
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false)
  })

  it('writes the key as unpadded upper-case base32', () => {
    expect(totpKeyToBase32(RFC_KEY)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')
    expect(totpKeyToBase32(generateTotpKey())).toMatch(/^[A-Z2-7]{32}$/)
  })
})

describe('totpKeyUri', () => {
  it('describes a Fleetdeck SHA-1, 6-digit, 30-second key for authenticator apps', () => {
    const [base, query] = totpKeyUri('ada@example.com', RFC_KEY).split('?')

    expect(base).toBe('otpauth://totp/Fleetdeck:ada%40example.com')
    expect(Object.fromEntries(new URLSearchParams(query))).toEqual({
      issuer: 'Fleetdeck',
      algorithm: 'SHA1',
      secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
      period: '30',
      digits: '6',
    })
  })
})

describe('agreement with oathtool (OATH Toolkit)', () => {
  it('accepts the code oathtool prints for a new key now, at the step oathtool used', () => {
    const key = generateTotpKey()
    let before: number
    let code: string
    let after: number
    do {
      before = totpStepAt(Date.now())
      code = oathtool('--totp', '-b', totpKeyToBase32(key))
      after = totpStepAt(Date.now())
    } while (before !== after)

    expect(code).toMatch(/^\d{6}$/)
    expect(code).toBe(codeAt(key, before))
    expect(matchTotpStep(key, code, Date.now())).toBe(before)
  })

  it('agrees with oathtool at fixed instants, including the RFC vectors', () => {
    const key = generateTotpKey()
    for (const [seconds, rfcCode] of RFC_VECTORS) {
      const rfc = oathtool('--totp', '-d', '8', '-N', `@${seconds}`, '-b', totpKeyToBase32(RFC_KEY))
      const fresh = oathtool('--totp', '-N', `@${seconds}`, '-b', totpKeyToBase32(key))

      expect(rfc).toBe(rfcCode)
      expect(matchTotpStep(key, fresh, seconds * 1000)).toBe(Math.floor(seconds / 30))
    }
  })
})
