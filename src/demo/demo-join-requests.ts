import { Faker, base, en } from '@faker-js/faker'
import type { AuditContext } from '../db/audit-log.js'
import type { Db } from '../db/database.js'
import {
  approveJoinRequests,
  denyJoinRequests,
  submitJoinRequest,
} from '../people/join-requests.js'

// Demo join requests for the demo fleet (issue 7 item 3): the lead's seedDemoFleet calls this
// after onboarding, so /join-requests has something to decide. Requests go through the same
// verbs as the console and the kit API, so they are audited like real ones.

const MESSAGES = [
  'I joined the finance team last week; my manager asked me to get access.',
  'Contractor for the Q3 migration project.',
  'Please add me, I need the monthly reports.',
  'New hire in customer support.',
  '',
]
const DENIALS = ['Not an employee of this customer.', 'Duplicate of an approved request.']

export type DemoJoinRequestsSummary = { pending: number; approved: number; denied: number }

/**
 * Files 1–3 join requests for each of the first `tenants` (at most `options.tenants`, default 5;
 * tenants that are not active refuse them and are skipped), dated over the last 40 days so the
 * age filter has something to show; then approves one (as member) and denies one, with a reason.
 * Addresses are at example.com/.org/.net (RFC 2606). Running it again adds new requests; the
 * faker seed is fixed, so a request already pending is refused as such and counted nowhere.
 * @returns how many requests were left pending, approved (auto-joins included) and denied
 */
export async function seedDemoJoinRequests(
  db: Db,
  context: AuditContext,
  tenants: { id: string }[],
  options: { tenants?: number; now?: Date; seed?: number } = {},
): Promise<DemoJoinRequestsSummary> {
  const now = options.now ?? new Date()
  const people = new Faker({ locale: [en, base], seed: options.seed ?? 20_261_130 })
  const summary: DemoJoinRequestsSummary = { pending: 0, approved: 0, denied: 0 }
  const pending: string[] = []
  for (const tenant of tenants.slice(0, options.tenants ?? 5)) {
    for (let i = people.number.int({ min: 1, max: 3 }); i > 0; i--) {
      const firstName = people.person.firstName()
      const lastName = people.person.lastName()
      const domain = people.helpers.arrayElement(['example.com', 'example.org', 'example.net'])
      const email = `${firstName}.${lastName}.${people.string.alphanumeric(4)}@${domain}`
        .normalize('NFKD')
        .replace(/[^A-Za-z0-9.@-]/g, '')
        .toLowerCase()
      const result = await submitJoinRequest(
        db,
        context,
        {
          email,
          name: `${firstName} ${lastName}`,
          tenantId: tenant.id,
          message: people.helpers.arrayElement(MESSAGES),
        },
        new Date(now.getTime() - people.number.int({ min: 1, max: 40 * 24 }) * 3600_000),
      )
      if (!result.ok) continue
      if (result.autoJoined) summary.approved++
      else pending.push(result.request.id)
    }
  }
  const [approve, deny] = [pending.shift(), pending.shift()]
  if (approve && (await approveJoinRequests(db, context, [approve], 'member', now)).ok)
    summary.approved++
  if (deny && (await denyJoinRequests(db, context, [deny], DENIALS[0], now)).ok) summary.denied++
  summary.pending = pending.length
  return summary
}
