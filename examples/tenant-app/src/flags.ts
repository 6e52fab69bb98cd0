import { DEFAULT_CACHE_MS } from '@fleetdeck/kit'
import { OFREPProvider } from '@openfeature/ofrep-provider'
import { OpenFeature, type Client } from '@openfeature/server-sdk'

// The app's feature flags through OpenFeature's own server SDK and its OFREP provider pointed at
// Fleetdeck (issue 9 item 5): not a private call. The evaluation context's targetingKey is the
// tenant's id, which is how Fleetdeck's OFREP endpoint knows whose flags to resolve.

/** The flags this app asks about, with what the app assumes when Fleetdeck cannot answer. */
export const DRAWINGS_BETA = 'drawings-beta'

/** What the app asks of its flag client. */
export type Flags = {
  /** Whether the Drawings page is on for this tenant; false when Fleetdeck cannot say. */
  drawingsBeta(tenant: { id: string }): Promise<boolean>
}

export type FlagsOptions = {
  /** Fleetdeck's base URL; the provider posts to `<url>/ofrep/v1/evaluate/flags/<key>`. */
  fleetdeckUrl: string
  /** The app key, sent as `Authorization: Bearer fdk_…` in the provider's headers. */
  appKey: string
  /** The fetch the provider calls with (tests pass an in-process one). */
  fetch?: typeof fetch
  /** The OpenFeature domain this app's provider is bound to. */
  domain?: string
  /**
   * How long one tenant's answer is held, in ms (default 4000, the kit's DEFAULT_CACHE_MS): a
   * flag turned on in the console shows within this window, and a page costs no extra round trip
   * to Fleetdeck meanwhile. 0 evaluates on every request.
   */
  cacheMs?: number
  /** The clock, in ms since the epoch. */
  now?: () => number
}

/**
 * Binds an OFREP provider for Fleetdeck to the OpenFeature domain and returns the app's flags.
 * An evaluation error (Fleetdeck unreachable, the flag not created yet, a 429) gives the code
 * default — off — as OpenFeature specifies; the page then stays hidden.
 */
export async function connectFlags(options: FlagsOptions): Promise<Flags> {
  const domain = options.domain ?? 'tenant-app'
  const provider = new OFREPProvider({
    baseUrl: options.fleetdeckUrl.replace(/\/+$/, ''),
    headers: { Authorization: `Bearer ${options.appKey}` },
    fetchImplementation: options.fetch,
  })
  await OpenFeature.setProviderAndWait(domain, provider)
  const client: Client = OpenFeature.getClient(domain)
  const held = heldFor(options.cacheMs ?? DEFAULT_CACHE_MS, options.now ?? Date.now)
  return {
    drawingsBeta: (tenant) =>
      held(`${DRAWINGS_BETA}:${tenant.id}`, () =>
        client.getBooleanValue(DRAWINGS_BETA, false, { targetingKey: tenant.id }),
      ),
  }
}

/** Answers held `ttlMs` per key; at most 10,000 keys (the oldest go first). */
function heldFor(ttlMs: number, now: () => number) {
  const entries = new Map<string, { value: boolean; at: number }>()
  return async (key: string, load: () => Promise<boolean>): Promise<boolean> => {
    const hit = entries.get(key)
    if (hit && now() - hit.at < ttlMs) return hit.value
    const value = await load()
    entries.delete(key)
    entries.set(key, { value, at: now() })
    if (entries.size > 10_000) entries.delete(entries.keys().next().value!)
    return value
  }
}
