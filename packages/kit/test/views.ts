import type { Impersonation } from '../src/types.js'

/** An impersonation view as PROTOCOL.md shows one: active, read-only, 29 minutes left. */
export function impersonationView(overrides: Partial<Impersonation> = {}): Impersonation {
  return {
    id: '5b0c3a4e-0000-4000-8000-000000000001',
    status: 'active',
    mode: 'read_only',
    tenant: { id: 't-1', slug: 'acme', name: 'Acme' },
    user: { id: 'u-1', email: 'ada@acme.test', name: 'Ada' },
    operator: { id: 'o-1', email: 'ops@fleetdeck.test' },
    reason: 'Customer asked for help',
    ticket: 'SUP-1234',
    startedAt: '2026-12-01T09:00:00.000Z',
    expiresAt: '2026-12-01T09:30:00.000Z',
    endedAt: null,
    endReason: null,
    secondsLeft: 1740,
    ...overrides,
  }
}
