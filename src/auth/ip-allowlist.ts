import { isIP } from 'node:net'
import proxyAddr from 'proxy-addr'

// IP allowlists are lists of CIDRs ("203.0.113.0/24", "2001:db8::/32") or single addresses.
// Matching is proxy-addr's compiled matcher (ipaddr.js underneath), the same code Express uses
// for its trust-proxy setting: IPv4-mapped IPv6 addresses match their IPv4 ranges.

/**
 * Why an allowlist entry is not valid, or undefined when it is. The address must be in the
 * canonical form node:net accepts — proxy-addr alone would read "010.0.0.1" as 8.0.0.1 and
 * "167772161" as 10.0.0.1 — and `proxy-addr` judges the range.
 */
export function allowlistEntryProblem(entry: string): string | undefined {
  const match = /^([0-9a-fA-F:.]+)(\/\d{1,3})?$/.exec(entry)
  if (!match || isIP(match[1]) === 0) return `“${entry}” is not an IP address or CIDR range.`
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
  const entries = [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((e) => e.trim())
        .filter(Boolean),
    ),
  ]
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
