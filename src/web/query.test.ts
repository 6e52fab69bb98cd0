import { describe, expect, it } from 'vitest'
import { calendarDay, isCalendarDay } from './query.js'

describe('isCalendarDay', () => {
  it('accepts real days, leap days included, from year 1 to 9999', () => {
    for (const day of [
      '2024-02-29',
      '2000-02-29',
      '2025-12-31',
      '0001-01-01',
      '0099-06-15',
      '9999-12-31',
    ]) {
      expect(isCalendarDay(day), day).toBe(true)
    }
  })

  it('refuses impossible days and other shapes instead of rolling them over', () => {
    for (const day of [
      '2024-13-45',
      '2025-02-29',
      '1900-02-29',
      '2025-04-31',
      '2025-00-10',
      '2025-1-1',
      '20250101',
      '2025-01-01T00:00',
      ' 2025-01-01',
    ]) {
      expect(isCalendarDay(day), day).toBe(false)
    }
  })
})

describe('calendarDay', () => {
  it('reads an empty or absent value as no filter', () => {
    expect(calendarDay.parse('')).toBeUndefined()
    expect(calendarDay.parse(undefined)).toBeUndefined()
    expect(calendarDay.parse('2025-01-15')).toBe('2025-01-15')
  })

  it('refuses an impossible day with a message', () => {
    const parsed = calendarDay.safeParse('2024-13-45')

    expect(parsed.success).toBe(false)
    expect(parsed.error?.issues[0].message).toBe('Enter a real date as YYYY-MM-DD.')
  })
})
