import type { Context } from 'hono'
import { isAllowed, parseAllowlist } from '../auth/ip-allowlist.js'
import type { AppEnv } from './env.js'
import { clientIp, formFields } from './request.js'

/** A submitted allowlist textarea: the parsed entries, or the message to show beside it. */
export type AllowlistForm = { text: string } & ({ entries: string[] } | { problem: string })

/**
 * Reads the `allowlist` field (one address or CIDR per line; at most 20,000 characters) and
 * refuses a list that would shut out the very address the request comes from.
 */
export async function readAllowlistForm(c: Context<AppEnv>): Promise<AllowlistForm> {
  const text = String((await formFields(c)).allowlist ?? '').slice(0, 20_000)
  const parsed = parseAllowlist(text)
  if ('problem' in parsed) return { text, problem: parsed.problem }
  const ip = clientIp(c)
  if (!isAllowed(parsed.entries, ip)) {
    const problem = `This list does not include your own address (${ip ?? 'unknown'}); saving it would shut you out.`
    return { text, problem }
  }
  return { text, entries: parsed.entries }
}
