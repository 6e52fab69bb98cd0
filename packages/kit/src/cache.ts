// A small read-through cache for the kit API's GET resources. PROTOCOL.md lets the kit hold a
// tenant, a member or an impersonation for at most 5 s: after that it asks again, with
// If-None-Match when it has an ETag, so an unchanged resource costs a 304 and no body.

/** The longest the kit keeps an answer before asking Fleetdeck again, in milliseconds. */
export const MAX_CACHE_MS = 5000

/** What a loader answers: a fresh value (with its ETag, if any) or "unchanged" after a 304. */
export type Loaded<T> = { value: T; etag?: string } | { notModified: true }

/** The entry a loader revalidates: the value and ETag it holds (if it holds one). */
export type Held<T> = { value: T; etag?: string; fetchedAt: number }

export type CacheOptions = {
  /** How long an answer is used without asking, in ms; capped at MAX_CACHE_MS. */
  ttlMs: number
  /** The clock, in ms since the epoch. */
  now: () => number
  /** At most this many entries are kept; the oldest go first (default 10,000). */
  maxEntries?: number
}

export type Cache<T> = {
  /**
   * The value under `key`: the held one while younger than the TTL, otherwise whatever `load`
   * answers (given the held entry, to send its ETag). Concurrent misses of one key share one
   * `load` (single flight), and its rejection: a failed load is never cached.
   * @returns the value and when it was fetched (ms since the epoch; refreshed by a 304)
   */
  get(key: string, load: (held: Held<T> | undefined) => Promise<Loaded<T>>): Promise<Held<T>>
  /** Forgets `key`, or every key starting with `prefix` when `prefix` is true. */
  forget(key: string, prefix?: boolean): void
}

export function createCache<T>(options: CacheOptions): Cache<T> {
  const ttlMs = Math.min(Math.max(options.ttlMs, 0), MAX_CACHE_MS)
  const maxEntries = options.maxEntries ?? 10_000
  const entries = new Map<string, Held<T>>()
  const inFlight = new Map<string, Promise<Held<T>>>()

  const refresh = async (key: string, load: (held: Held<T> | undefined) => Promise<Loaded<T>>) => {
    const held = entries.get(key)
    const loaded = await load(held)
    const fetchedAt = options.now()
    // A 304 without anything held would be Fleetdeck's bug; it cannot happen without If-None-Match.
    if ('notModified' in loaded && !held) throw new Error('cache: 304 for a key not held')
    const fresh: Held<T> =
      'notModified' in loaded ? { ...held!, fetchedAt } : { ...loaded, fetchedAt }
    entries.delete(key)
    entries.set(key, fresh)
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
    return fresh
  }

  return {
    get(key, load) {
      const held = entries.get(key)
      if (held && options.now() - held.fetchedAt < ttlMs) return Promise.resolve(held)
      const pending = inFlight.get(key)
      if (pending) return pending
      const started = refresh(key, load).finally(() => inFlight.delete(key))
      inFlight.set(key, started)
      return started
    },
    forget(key, prefix = false) {
      if (!prefix) return void entries.delete(key)
      for (const k of entries.keys()) if (k.startsWith(key)) entries.delete(k)
    },
  }
}

/**
 * A conditional GET through `call` for a cache loader: sends `If-None-Match` with the held ETag,
 * answers `{ notModified }` on 304, else the value `pick` takes from the JSON body and its ETag.
 */
export async function conditionalGet<T>(
  call: (headers: Record<string, string>) => Promise<Response>,
  held: Held<T> | undefined,
  pick: (body: unknown) => T,
): Promise<Loaded<T>> {
  const response = await call(held?.etag ? { 'if-none-match': held.etag } : {})
  if (response.status === 304) return { notModified: true }
  const etag = response.headers.get('etag') ?? undefined
  return { value: pick(await response.json()), etag }
}
