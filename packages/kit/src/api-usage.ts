import { pathSegment, type Client } from './client.js'

/** What Fleetdeck recorded: the UTC day (`YYYY-MM-DD`) and the day's total after this report. */
export type ApiUsageRecorded = { day: string; api_calls_today: number }

/**
 * Adds `calls` (a whole number, 1 to 1,000,000) to the tenant's API calls of today (UTC) through
 * `POST /kit/v1/tenants/:slug/api-usage`; the `api_calls_per_day` quota is checked against it.
 * @throws KitError 422 `invalid_input` for a bad count, 404 `tenant_not_found`, 403
 *   `tenant_unavailable` for a deleted tenant, and the client's errors (401, 429, 502)
 */
export function recordApiCalls(client: Client, slug: string, calls: number) {
  return client.json<ApiUsageRecorded>('POST', `/kit/v1/tenants/${pathSegment(slug)}/api-usage`, {
    calls,
  })
}
