// Redis memory (redis.* keys), read only when REDIS_URL is set. ioredis loads on first use, so
// a Fleetdeck without Redis never imports it.

/** How long a Redis reading may take before it counts as unreadable, in milliseconds. */
export const REDIS_TIMEOUT_MS = 2_000

/** used_memory and maxmemory (bytes; maxmemory 0 = no limit) from `INFO memory`'s text. */
export function parseRedisMemory(info: string): { used: number; max: number } | undefined {
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)\\r?$`, 'm').exec(info)?.[1])
  const used = field('used_memory')
  const max = field('maxmemory')
  return Number.isFinite(used) ? { used, max: Number.isFinite(max) ? max : 0 } : undefined
}

const NO_REDIS = {
  'redis.used_memory_bytes': null,
  'redis.maxmemory_bytes': null,
  'redis.memory_percent': null,
}

/**
 * Redis memory over one short-lived connection: used and maxmemory in bytes, and used /
 * maxmemory × 100 when maxmemory is set (null otherwise: the limit is the host's memory). Every
 * value is null when Redis does not answer within REDIS_TIMEOUT_MS.
 */
export async function collectRedis(url: string): Promise<Record<string, number | null>> {
  const { Redis } = await import('ioredis')
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: REDIS_TIMEOUT_MS,
    commandTimeout: REDIS_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  })
  client.on('error', () => {})
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), REDIS_TIMEOUT_MS)
  })
  try {
    const info = await Promise.race([
      client.connect().then(() => client.info('memory')),
      timeout,
    ]).catch(() => undefined)
    const memory = info === undefined ? undefined : parseRedisMemory(info)
    if (!memory) return NO_REDIS
    return {
      'redis.used_memory_bytes': memory.used,
      'redis.maxmemory_bytes': memory.max > 0 ? memory.max : null,
      'redis.memory_percent': memory.max > 0 ? (memory.used / memory.max) * 100 : null,
    }
  } finally {
    clearTimeout(timer)
    client.disconnect()
  }
}
