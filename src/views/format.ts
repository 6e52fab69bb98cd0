/** 1536 → "1.5 KB"; binary units, one decimal below 10. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value < 10 && unit > 0 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`
}

/** "2026-11-21 05:22 UTC": operators across time zones read one clock. */
export function formatDateTime(date: Date | null | undefined): string {
  if (!date) return '—'
  return date.toISOString().slice(0, 16).replace('T', ' ') + ' UTC'
}

export function formatDate(date: Date | null | undefined): string {
  return date ? date.toISOString().slice(0, 10) : '—'
}

/** "3 min ago", "2 h ago", "5 d ago" relative to `now`. */
export function formatAge(date: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000))
  if (seconds < 60) return `${seconds} s ago`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`
  return `${Math.floor(seconds / 86400)} d ago`
}
