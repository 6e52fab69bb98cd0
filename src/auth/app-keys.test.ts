import { describe, expect, it } from 'vitest'
import { generateAppKey, parseAppKey, parseAppOrigin } from './app-keys.js'

describe('parseAppOrigin', () => {
  it('keeps an http(s) origin, normalised as a browser prints it', () => {
    expect(parseAppOrigin('http://127.0.0.1:3001')).toBe('http://127.0.0.1:3001')
    expect(parseAppOrigin('HTTPS://App.Example.COM/')).toBe('https://app.example.com')
    expect(parseAppOrigin('https://app.example.com:443')).toBe('https://app.example.com')
    expect(parseAppOrigin('http://[::1]:8080')).toBe('http://[::1]:8080')
  })

  it('refuses anything but a bare origin: paths, queries, fragments, credentials, other schemes', () => {
    for (const bad of [
      '',
      'app.example.com',
      'ftp://app.example.com',
      'javascript:alert(1)',
      'https://app.example.com/app',
      'https://app.example.com?x=1',
      'https://app.example.com/?',
      'https://app.example.com#top',
      'https://user:pw@app.example.com',
      'https://app.example.com@evil.example',
      'https://app.example.com:99999',
      'https:///path',
      'https://app example.com',
      ' https://app.example.com',
    ]) {
      expect(parseAppOrigin(bad), bad).toBeUndefined()
    }
  })
})

describe('app key tokens', () => {
  it('a generated token parses back to its id', () => {
    const key = generateAppKey()
    expect(parseAppKey(key.token)?.id).toBe(key.id)
    expect(key.token).toMatch(/^fdk_/)
  })
})
