import { readFileSync, statfsSync } from 'node:fs'
import { cpus, freemem, totalmem } from 'node:os'

// The host's CPU, memory and the disk holding the data directory (shared-names.md: host.*).
// Percentages are 0–100; a value that cannot be read is null, never 0.

/** Busy and total CPU time of all cores so far, in milliseconds (os.cpus()). */
export type CpuTimes = { busy: number; total: number }

/** The sum of every core's times from os.cpus(). */
export function readCpuTimes(): CpuTimes {
  let busy = 0
  let total = 0
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq
    total += all
    busy += all - times.idle
  }
  return { busy, total }
}

/** CPU busy between two readings, 0–100; null without an earlier reading or time between. */
export function cpuPercent(previous: CpuTimes | undefined, current: CpuTimes): number | null {
  if (!previous) return null
  const total = current.total - previous.total
  if (total <= 0) return null
  return Math.min(100, Math.max(0, ((current.busy - previous.busy) / total) * 100))
}

/**
 * Memory in use, (total − available) / total × 100. MemAvailable from /proc/meminfo (Linux ≥
 * 3.14) counts reclaimable page cache as free, as `free` does; elsewhere os.freemem().
 */
export function memoryPercent(meminfo = readMeminfo()): number | null {
  const total = meminfo?.total ?? totalmem()
  const available = meminfo?.available ?? freemem()
  if (!(total > 0)) return null
  return ((total - available) / total) * 100
}

function readMeminfo(): { total: number; available: number } | undefined {
  try {
    const text = readFileSync('/proc/meminfo', 'utf8')
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1])
    const total = kb('MemTotal') * 1024
    const available = kb('MemAvailable') * 1024
    return Number.isFinite(total) && Number.isFinite(available) ? { total, available } : undefined
  } catch {
    return undefined
  }
}

/** Used and size in bytes of the filesystem holding `path`, as `df` reports them. */
export type DiskUsage = { usedBytes: number; sizeBytes: number; percent: number }

/**
 * The filesystem holding `path` (fs.statfs): used = size − free; percent = used / (used +
 * available to unprivileged users) × 100, as `df` shows it (root's reserved blocks excluded).
 * @returns undefined when `path` cannot be reached
 */
export function diskUsage(path: string | undefined): DiskUsage | undefined {
  if (!path) return undefined
  try {
    const s = statfsSync(path)
    const sizeBytes = s.blocks * s.bsize
    const usedBytes = (s.blocks - s.bfree) * s.bsize
    const usable = usedBytes + s.bavail * s.bsize
    if (!(sizeBytes > 0) || !(usable > 0)) return undefined
    return { usedBytes, sizeBytes, percent: (usedBytes / usable) * 100 }
  } catch {
    return undefined
  }
}
