import proxyAddr from 'proxy-addr'

// IP allowlists are lists of CIDRs ("203.0.113.0/24", "2001:db8::/32") or single addresses.
// Matching is proxy-addr's compiled matcher (ipaddr.js underneath), the same code Express uses
// for its trust-proxy setting: IPv4-mapped IPv6 addresses match their IPv4 ranges.

/**
 * Why an allowlist entry is not valid, or undefined when it is. `proxy-addr` is the judge.
 */
export function allowlistEntryProblem(entry: string): string | undefined {
  if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(entry)) return `“${entry}” is not an IP address or CIDR range.`
  try {
    proxyAddr.compile(entry)
    return undefined
  } catch {
    return `“${entry}” is not an IP address or CIDR range.`
  }
}

/**
 * Splits a textarea of entries (one per line, or separated by commas or spaces), dropping blanks
 * and duplicates. Validates each.
 * @returns the entries, or the first problem found
 */
export function parseAllowlist(text: string): { entries: string[] } | { problem: string } {
  const entries = [...new Set(text.split(/[\s,]+/).map((e) => e.trim()).filter(Boolean))]
  if (entries.length > 200) return { problem: 'Use at most 200 entries.' }
  for (const entry of entries) {
    const problem = allowlistEntryProblem(entry)
    if (problem) return { problem }
  }
  return { entries }
}

/**
 * True when `ip` may pass `allowlist`: an empty list means no restriction; an unknown address
 * (null) passes only an empty list.
 */
export function isAllowed(allowlist: readonly string[], ip: string | null): boolean {
  if (allowlist.length === 0) return true
  if (!ip) return false
  try {
    return proxyAddr.compile([...allowlist])(ip, 0)
  } catch {
    return false
  }
}
