import { describe, expect, it } from 'vitest'
import { entityTag, matchesIfNoneMatch } from './http.js'

describe('entity tags', () => {
  it('are the quoted sha256 of the body: equal bodies, equal tags', () => {
    expect(entityTag('{"a":1}')).toBe(entityTag('{"a":1}'))
    expect(entityTag('{"a":1}')).not.toBe(entityTag('{"a":2}'))
    expect(entityTag('')).toBe('"47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"')
  })

  it('If-None-Match matches the tag in a list, weak or strong, or *, and nothing else', () => {
    const tag = entityTag('x')
    expect(matchesIfNoneMatch(tag, tag)).toBe(true)
    expect(matchesIfNoneMatch(`"a", W/${tag}`, tag)).toBe(true)
    expect(matchesIfNoneMatch('*', tag)).toBe(true)
    expect(matchesIfNoneMatch(undefined, tag)).toBe(false)
    expect(matchesIfNoneMatch('"a", "b"', tag)).toBe(false)
    expect(matchesIfNoneMatch(tag.slice(1, -1), tag)).toBe(false)
  })
})
