import type { FC } from 'hono/jsx'
import type { Membership } from '../../db/memberships.js'
import { MembershipHead, MembershipRow } from './membership-row.js'

// The tenant page's member list (issue 7 item 4): searchable, 50 per page by keyset, each row the
// same MembershipRow as on the user page. The section's body is the fragment its search swaps.

/** One page of members and the search that produced it. */
export type TenantMembersData = {
  items: Membership[]
  /** The member after whom the next page starts; undefined on the last page. */
  nextAfter?: string
  /** The search typed (`members_q`) and the page's start (`members_after`). */
  q: string
  after: string
}

export type TenantMembersProps = TenantMembersData & {
  tenantId: string
  canEdit: boolean
  canImpersonate?: boolean
}

/** `/tenants/:id` (or its members fragment with `fragment`) for this search and page. */
export function tenantMembersUrl(tenantId: string, q: string, after = '', fragment = false) {
  const params = new URLSearchParams()
  if (q) params.set('members_q', q)
  if (after) params.set('members_after', after)
  const s = params.toString()
  const base = fragment ? `/tenants/${tenantId}/members` : `/tenants/${tenantId}`
  return `${base}${s ? `?${s}` : ''}${fragment ? '' : '#members'}`
}

/** The member search: a GET form on the tenant page; under htmx, typing swaps the list only. */
export const TenantMemberSearch: FC<{ tenantId: string; q: string }> = ({ tenantId, q }) => (
  <form
    method="get"
    action={`/tenants/${tenantId}#members`}
    hx-get={`/tenants/${tenantId}/members`}
    hx-target="#tenant-members"
    hx-trigger="input changed delay:250ms from:#member-search, submit"
    hx-sync="this:replace"
    class="mb-3 flex items-end gap-2"
  >
    <div>
      <label for="member-search" class="block text-xs font-medium text-slate-700 mb-1">
        Search members by email or name
      </label>
      <input
        id="member-search"
        type="search"
        name="members_q"
        value={q}
        autocomplete="off"
        class="w-64 max-w-full rounded border border-slate-300 px-3 py-1.5 text-sm"
      />
    </div>
    <button
      type="submit"
      class="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm cursor-pointer"
    >
      Search
    </button>
  </form>
)

/** The swappable list: rows, "no match", and the next page. */
export const TenantMembers: FC<TenantMembersProps> = (p) => (
  <div id="tenant-members">
    {p.items.length === 0 ? (
      <p class="m-0 text-sm text-slate-600">{p.q ? `No members match “${p.q}”.` : 'No members.'}</p>
    ) : (
      <div class="overflow-x-auto">
        <table class="w-full text-sm">
          <caption class="sr-only">Members, owners first</caption>
          <MembershipHead perspective="tenant" />
          <tbody>
            {p.items.map((m) => (
              <MembershipRow
                membership={m}
                perspective="tenant"
                canEdit={p.canEdit}
                canImpersonate={p.canImpersonate}
              />
            ))}
          </tbody>
        </table>
      </div>
    )}
    {(p.after || p.nextAfter) && (
      <nav aria-label="Member pages" class="mt-2 flex gap-4 text-sm">
        {p.after && (
          <a
            href={tenantMembersUrl(p.tenantId, p.q)}
            hx-get={tenantMembersUrl(p.tenantId, p.q, '', true)}
            hx-target="#tenant-members"
            class="text-violet-700 underline"
          >
            First members
          </a>
        )}
        {p.nextAfter && (
          <a
            rel="next"
            href={tenantMembersUrl(p.tenantId, p.q, p.nextAfter)}
            hx-get={tenantMembersUrl(p.tenantId, p.q, p.nextAfter, true)}
            hx-target="#tenant-members"
            class="text-violet-700 underline"
          >
            Next members
          </a>
        )}
      </nav>
    )}
  </div>
)
