import { describe, expect, it } from 'vitest'
import {
  parsePlanForm,
  parsePriceCents,
  parseStorageBytes,
  planFormValues,
  storageText,
} from './plan-form.js'

// What an operator types on the plan form, and what is stored: cents, bytes, null = unlimited.

describe('plan form parsing', () => {
  it.each([
    ['0', 0],
    ['49', 4900],
    ['49.9', 4990],
    ['49.95', 4995],
    ['1.999', undefined],
    ['-1', undefined],
    ['1,5', undefined],
    ['', undefined],
  ])('reads the price %j as %j cents', (text, cents) => {
    expect(parsePriceCents(text)).toBe(cents)
  })

  it.each([
    ['500 MB', 500 * 1024 ** 2],
    ['1.5 gb', 1.5 * 1024 ** 3],
    ['2TB', 2 * 1024 ** 4],
    ['4096', 4096],
    ['lots', undefined],
    ['5 PB', undefined],
  ])('reads the storage %j as %j bytes', (text, bytes) => {
    expect(parseStorageBytes(text)).toBe(bytes)
  })

  it('shows stored bytes in the largest unit that holds them whole, so the form round-trips', () => {
    for (const bytes of [1024 ** 3, 50 * 1024 ** 3, 1536 * 1024 ** 2, 1000])
      expect(parseStorageBytes(storageText(bytes))).toBe(bytes)
    expect(storageText(1024 ** 4)).toBe('1 TB')
    expect(storageText(1536 * 1024 ** 2)).toBe('1536 MB')
  })

  it('stores blank quotas as unlimited and lower-cases the currency', () => {
    const values = planFormValues(
      { id: 'team', name: 'Team', priceMonthly: '10', priceYearly: '100', currency: 'EUR' },
      [],
    )
    expect(parsePlanForm(values, [], true)).toEqual({
      ok: true,
      fields: {
        name: 'Team',
        priceCentsMonthly: 1000,
        priceCentsYearly: 10000,
        currency: 'eur',
        maxMembers: null,
        maxStorageBytes: null,
        maxCustomDomains: null,
        maxApiCallsPerDay: null,
        isPublic: false,
      },
    })
  })

  it('refuses a feature the form did not offer, and a member quota beyond a PostgreSQL integer', () => {
    const values = planFormValues(
      {
        id: 'team',
        name: 'T',
        priceMonthly: '1',
        priceYearly: '1',
        currency: 'usd',
        maxMembers: '3000000000',
      },
      ['11111111-1111-4111-8111-111111111111'],
    )
    const result = parsePlanForm(values, [], true)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(Object.keys(result.errors).sort()).toEqual(['features', 'maxMembers'])
  })
})
