import { Hono } from 'hono'
import type { AppEnv } from '../web/env.js'

/**
 * `POST /webhooks/stripe` (issue 12 item 1): Stripe's signed deliveries into the event ledger.
 * No session, no CSRF token, outside the operator allowlist: the signature is the authentication.
 */
export const stripeWebhookRoutes = new Hono<AppEnv>()
