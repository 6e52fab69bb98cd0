import { describe, expect, it } from 'vitest'
import { hasControlCharacter } from './text-guard.js'

describe('hasControlCharacter', () => {
  it('finds NUL, the other C0 controls and DEL anywhere in the text', () => {
    for (const code of [0, 1, 8, 11, 12, 14, 27, 31, 127]) {
      const char = String.fromCharCode(code)
      expect(hasControlCharacter(`a${char}b`), `U+${code.toString(16)}`).toBe(true)
    }
  })

  it('lets tab, line feed and carriage return through, and all printable Unicode', () => {
    expect(hasControlCharacter('line one\r\nline two\tend')).toBe(false)
    expect(hasControlCharacter('Zoë 🚀 東京 \u00a0 \u200b')).toBe(false)
    expect(hasControlCharacter('')).toBe(false)
  })
})
