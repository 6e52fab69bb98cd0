import type { IncomingMessage } from 'node:http'
import proxyAddr from 'proxy-addr'

/**
 * TRUST_PROXY: `false` (default: the socket's peer is the client, X-Forwarded-For ignored),
 * `loopback`, or a comma-separated list of CIDRs/addresses of proxies whose X-Forwarded-For is
 * believed. Compiled once by proxy-addr (Express's own trust logic).
 * @throws Error for an entry proxy-addr cannot parse
 */
export function compileTrustProxy(setting: string): (addr: string, i: number) => boolean {
  const value = setting.trim()
  if (value === '' || value === 'false') return () => false
  return proxyAddr.compile(
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
}

/**
 * The client's address: the socket's peer, or — when that peer is a trusted proxy — the
 * right-most untrusted address in X-Forwarded-For. A spoofed header from an untrusted peer is
 * ignored. Null when there is no socket (in-process requests without one).
 */
export function resolveClientIp(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trust: (addr: string, i: number) => boolean,
): string | null {
  if (!socketAddress) return null
  const req = {
    socket: { remoteAddress: socketAddress },
    connection: { remoteAddress: socketAddress },
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  } as unknown as IncomingMessage
  return normaliseIp(proxyAddr(req, trust))
}

/** `::ffff:127.0.0.1` → `127.0.0.1`, so lists and logs read one form. */
export function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip
}
