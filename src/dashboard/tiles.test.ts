import { describe, expect, it } from 'vitest'
import {
  activeUsersShown,
  dashboardModel,
  dayCountPoints,
  formatTileValue,
  storageGrowth,
  trendPoints,
} from './tiles.js'

// The tile arithmetic (issue 10 item 2): the 30 trend points and the storage growth's base day.

const today = '2026-12-01'

describe('storageGrowth', () => {
  it('compares with the day 30 days ago when it is stored', () => {
    const days = [
      { day: '2026-11-01', kpis: { storageBytes: 1000 } },
      { day: '2026-11-20', kpis: { storageBytes: 4000 } },
    ]
    expect(storageGrowth(days, today, 5000)).toEqual({
      bytes: 4000,
      since: '2026-11-01',
      full: true,
    })
  })

  it('compares with the oldest day within 30 days when the record is younger, and can shrink', () => {
    const days = [
      { day: '2026-10-31', kpis: { storageBytes: 1 } },
      { day: '2026-11-25', kpis: { users: 3 } },
      { day: '2026-11-26', kpis: { storageBytes: 9000 } },
    ]
    expect(storageGrowth(days, today, 5000)).toEqual({
      bytes: -4000,
      since: '2026-11-26',
      full: false,
    })
  })

  it('has nothing to say before a day earlier than today is stored', () => {
    expect(storageGrowth([{ day: today, kpis: { storageBytes: 1 } }], today, 5)).toBeUndefined()
  })
})

describe('trendPoints', () => {
  it('covers 30 days ending today, null where nothing is stored, today the live value', () => {
    const points = trendPoints([{ day: '2026-11-02', kpis: { users: 4 } }], 'users', today, 9)
    expect(points).toHaveLength(30)
    expect(points[0]).toEqual({ label: '2026-11-02', value: 4 })
    expect(points[1]).toEqual({ label: '2026-11-03', value: null })
    expect(points[29]).toEqual({ label: today, value: 9 })
  })

  it('starts at the first day measured, so a young record is not a month of gaps', () => {
    const points = trendPoints([{ day: '2026-11-29', kpis: { users: 4 } }], 'users', today, 9)
    expect(points.map((p) => p.label)).toEqual(['2026-11-29', '2026-11-30', today])
    expect(trendPoints([], 'users', today, null)).toEqual([{ label: today, value: null }])
  })
})

describe('formatTileValue', () => {
  it('reads counts with separators, bytes in binary units and percentages to one decimal', () => {
    expect(formatTileValue(1234567, 'count')).toBe('1,234,567')
    expect(formatTileValue(3 * 1024 ** 3, 'bytes')).toBe('3.0 GB')
    expect(formatTileValue(41.25, 'percent')).toBe('41.3 %')
  })
})

describe('dashboardModel', () => {
  const kpis = {
    activeTenants: 1,
    suspendedTenants: 0,
    users: 1_000_000,
    usersExact: false,
    activeUsers: 0,
    activeUsersExact: true,
    signupsToday: 2,
    signupsByDay: Array.from({ length: 30 }, (_, i) => ({
      day: i === 29 ? today : `2026-11-${String(i + 2).padStart(2, '0')}`,
      count: i === 29 ? 2 : i,
    })),
    pendingJoinRequests: 0,
    activeImpersonations: 0,
    storageBytes: 0,
  }
  const history = { fleet: [], tenant: [] }
  const now = new Date(`${today}T12:00:00Z`)

  it('says "about" when the user total is the planner’s estimate, as the users list does', () => {
    const users = dashboardModel({ kpis, history, now }).tiles.find((t) => t.id === 'users')!
    expect(users.value).toBe('about 1,000,000')
    const exact = dashboardModel({ kpis: { ...kpis, usersExact: true }, history, now })
    expect(exact.tiles.find((t) => t.id === 'users')!.value).toBe('1,000,000')
  })

  it('draws signups from the live per-day counts, every day measured, not from the snapshots', () => {
    const stored = [{ day: '2026-11-30', kpis: { users: 3 } }]
    const model = dashboardModel({ kpis, history: { fleet: stored, tenant: [] }, now })
    const points = model.tiles.find((t) => t.id === 'signups')!.trend!.points
    expect(points).toHaveLength(30)
    expect(points[0]).toEqual({ label: '2026-11-02', value: 0 })
    expect(points[28]).toEqual({ label: '2026-11-30', value: 28 })
    expect(points[29]).toEqual({ label: today, value: 2 })
  })
})

describe('dayCountPoints', () => {
  it('keeps the last 30 days', () => {
    const days = Array.from({ length: 31 }, (_, i) => ({ day: `d${i}`, count: i }))
    expect(dayCountPoints(days).map((p) => p.value)).toEqual(days.slice(1).map((d) => d.count))
  })
})

describe('activeUsersShown', () => {
  const capped = { activeUsers: 10_001, activeUsersExact: false } as const
  const base = { ...capped, activeUsersExact: true, activeUsers: 17 }
  const at = new Date('2026-12-01T11:45:03Z')

  it('shows the live count while it is within the cap', () => {
    expect(activeUsersShown(base as never, [])).toEqual({ value: 17, text: '17' })
  })

  it('above the cap reads the latest snapshot’s exact count as "about N", saying when it was taken', () => {
    const days = [
      { day: '2026-11-30', kpis: { activeUsers: 90_000 }, takenAt: new Date('2026-11-30T23:45Z') },
      { day: today, kpis: { activeUsers: 123_456 }, takenAt: at },
      { day: today, kpis: { users: 5 }, takenAt: at },
    ]
    expect(activeUsersShown(capped as never, days)).toEqual({
      value: 123_456,
      text: 'about 123,456',
      note: 'Above 10,000, the snapshot’s exact count of 2026-12-01 11:45 UTC',
    })
  })

  it('says "over 10,000" when no stored count is above the cap yet', () => {
    const days = [{ day: today, kpis: { activeUsers: 9_000 }, takenAt: at }]
    expect(activeUsersShown(capped as never, days)).toMatchObject({
      value: null,
      text: 'over 10,000',
    })
    expect(activeUsersShown(capped as never, []).text).toBe('over 10,000')
  })
})
