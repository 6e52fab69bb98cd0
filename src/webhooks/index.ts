import { Hono } from 'hono'
import type { AppEnv } from '../web/env.js'
import { problemErrorHandler, problemNotFound } from '../web/errors.js'
import { stripeWebhookRoutes } from './stripe.js'

/**
 * Raw-body endpoints for other services (Stripe), mounted at `/webhooks` (DESIGN.md §10);
 * senders read JSON, so unknown addresses and errors answer as RFC 9457 problems.
 */
export const webhookRoutes = new Hono<AppEnv>()

webhookRoutes.route('/stripe', stripeWebhookRoutes)

// Keep the catch-all last: a mounted sub-app's notFound is never consulted.
webhookRoutes.all('*', problemNotFound)
webhookRoutes.onError(problemErrorHandler)
