import Stripe from 'stripe'
import type { Config } from '../config.js'

// The one place that builds the official SDK (issue 12 items 1 and 5). Tests and development
// point it at a local server through STRIPE_API_URL (the SDK's host/port/protocol options).

/**
 * A Stripe client for API calls, or undefined when STRIPE_SECRET_KEY is not set (the actions are
 * then refused with that reason). Retries are the SDK's (network errors and 409/429/5xx, with the
 * idempotency key the caller passes).
 */
export function createStripeClient(
  config: Pick<Config, 'stripeSecretKey' | 'stripeApiUrl'>,
): Stripe | undefined {
  if (!config.stripeSecretKey) return undefined
  const url = new URL(config.stripeApiUrl)
  const protocol = url.protocol === 'http:' ? 'http' : 'https'
  return new Stripe(config.stripeSecretKey, {
    host: url.hostname,
    port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443,
    protocol,
    maxNetworkRetries: 1,
    timeout: 15_000,
    appInfo: { name: 'Fleetdeck' },
  })
}

// Webhook verification and test signing need no key: the SDK's webhooks helper is key-agnostic.
const keyless = new Stripe('sk_test_fleetdeck_webhooks_only')

/** The SDK's webhook helper (constructEvent, generateTestHeaderString); needs no API key. */
export const stripeWebhooks: Stripe['webhooks'] = keyless.webhooks

/**
 * A `Stripe-Signature` header value for `payload` as Stripe computes it (t=…,v1=HMAC-SHA256), for
 * the demo fleet's events and tests. `timestampSeconds` defaults to now (Unix seconds).
 */
export function signStripePayload(
  payload: string,
  secret: string,
  timestampSeconds = Math.floor(Date.now() / 1000),
): string {
  return stripeWebhooks.generateTestHeaderString({ payload, secret, timestamp: timestampSeconds })
}
