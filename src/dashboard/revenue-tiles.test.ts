import { describe, expect, it } from 'vitest'
import type { CurrencyToday } from '../db/billing-today.js'
import { revenueTiles } from './revenue-tiles.js'

// The dashboard's revenue tiles (issue 12 item 4): the main currency's number, others in notes.

function currency(overrides: Partial<CurrencyToday> & { currency: string }): CurrencyToday {
  return { mrrCents: 0, paidTodayCents: 0, churnedToday: 0, churnedTodayCents: 0, ...overrides }
}

describe('revenueTiles', () => {
  it('is one "No billing data" tile linking to /billing before Stripe sent anything', () => {
    expect(revenueTiles({ hasData: false, currencies: [] })).toEqual([
      expect.objectContaining({ id: 'billing', value: 'No billing data', href: '/billing' }),
    ])
  })

  it('shows the largest currency’s MRR and revenue, with every other currency as a note', () => {
    const tiles = revenueTiles({
      hasData: true,
      currencies: [
        currency({ currency: 'eur', mrrCents: 1_250_000, paidTodayCents: 9_900 }),
        currency({ currency: 'usd', mrrCents: 300_000, paidTodayCents: 0 }),
      ],
    })
    const [mrr, revenue] = tiles
    expect(mrr).toMatchObject({ id: 'mrr', value: '€12,500.00', href: '/billing' })
    expect(mrr!.notes).toContain('Also $3,000.00 (USD)')
    expect(revenue).toMatchObject({ id: 'revenue-today', value: '€99.00' })
    expect(revenue!.notes).toContain('Also $0.00 (USD)')
  })

  it('counts churned customers across currencies and lists the MRR lost in each', () => {
    const tiles = revenueTiles({
      hasData: true,
      currencies: [
        currency({ currency: 'eur', churnedToday: 2, churnedTodayCents: 8_000 }),
        currency({ currency: 'usd', churnedToday: 1, churnedTodayCents: 4_500 }),
      ],
    })
    const churn = tiles.find((t) => t.id === 'churn-today')!
    expect(churn.value).toBe('3')
    expect(churn.notes).toEqual([
      'Customers who canceled since 00:00 UTC',
      '€80.00 MRR lost',
      '$45.00 MRR lost',
    ])
  })

  it('shows zeros in no currency when there is data but nothing paying', () => {
    const [mrr] = revenueTiles({ hasData: true, currencies: [] })
    expect(mrr!.value).toBe('0')
  })
})
