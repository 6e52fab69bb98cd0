import { describe, expect, it } from 'vitest'
import { bannerFor, END_PATH } from './banner.js'
import { impersonationView } from '../test/views.js'

describe('bannerFor', () => {
  it('names both identities, the tenant, the mode and the minutes left', () => {
    const banner = bannerFor(impersonationView(), { fetchedAt: 0, now: 0 })

    expect(banner.text).toBe(
      'Support: ops@fleetdeck.test viewing Acme as ada@acme.test — read-only — 29 min left',
    )
    expect(banner).toMatchObject({
      operatorEmail: 'ops@fleetdeck.test',
      userEmail: 'ada@acme.test',
      tenantName: 'Acme',
      mode: 'read_only',
      modeLabel: 'read-only',
      minutesLeft: 29,
      endPath: END_PATH,
    })
  })

  it('counts whole minutes down as the console does; the last minute says so in words', () => {
    expect(
      bannerFor(impersonationView({ secondsLeft: 1741 }), { fetchedAt: 0, now: 0 }).minutesLeft,
    ).toBe(29)
    const last = bannerFor(impersonationView({ secondsLeft: 59 }), { fetchedAt: 0, now: 0 })
    expect(last.minutesLeft).toBe(0)
    expect(last.text).toMatch(/— read-only — less than a minute left$/)
    expect(
      bannerFor(impersonationView({ secondsLeft: 0 }), { fetchedAt: 0, now: 0 }).minutesLeft,
    ).toBe(0)
  })

  it('counts down from the server figure by the time since it was fetched, never below zero', () => {
    const view = impersonationView({ secondsLeft: 600 })
    expect(bannerFor(view, { fetchedAt: 1000, now: 1000 + 61_000 }).minutesLeft).toBe(8)
    expect(bannerFor(view, { fetchedAt: 1000, now: 1000 + 3_600_000 }).minutesLeft).toBe(0)
  })

  it('says read-write for a read-write session', () => {
    const banner = bannerFor(impersonationView({ mode: 'read_write' }), { fetchedAt: 0, now: 0 })
    expect(banner.modeLabel).toBe('read-write')
    expect(banner.text).toContain('— read-write —')
  })
})
