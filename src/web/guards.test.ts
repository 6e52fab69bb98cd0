import { describe, expect, it } from 'vitest'
import { safeNextPath } from './guards.js'

describe('safeNextPath', () => {
  it('keeps a local path and its query', () => {
    expect(safeNextPath('/settings/security')).toBe('/settings/security')
    expect(safeNextPath('/tenants?q=acme&page=2')).toBe('/tenants?q=acme&page=2')
  })

  it('falls back for anything that could leave the site', () => {
    for (const next of [
      '//evil.com',
      'https://evil.com/x',
      '/\\evil',
      '\\\\evil.com',
      '/\t/evil.com',
      'javascript:alert(1)',
      'http://localhost/x',
    ]) {
      expect([next, safeNextPath(next)]).toEqual([next, '/'])
    }
  })

  it('falls back when there is no next at all, to the fallback given', () => {
    expect(safeNextPath(undefined)).toBe('/')
    expect(safeNextPath('', '/account')).toBe('/account')
  })
})
