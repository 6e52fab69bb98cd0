/** How long an event that is not ready (StripeEventNotReady) waits before it is given up. */
export const NOT_READY_GIVE_UP_MS = 24 * 60 * 60 * 1000

/**
 * Thrown by a projector when the event names something not stored yet (a refund before its
 * invoice): the event is left pending without an error for the periodic sweep to retry, and
 * marked processed with this message as its error once it was received NOT_READY_GIVE_UP_MS ago.
 */
export class StripeEventNotReady extends Error {
  override name = 'StripeEventNotReady'
}
