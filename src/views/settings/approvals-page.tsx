import type { FC } from 'hono/jsx'
import {
  APPROVAL_KIND_LABELS,
  APPROVAL_KINDS,
  type ApprovalPolicy,
} from '../../approvals/policy.js'
import { Button } from '../components/button.js'
import { BackLink, Section } from '../components/section.js'

/** /settings/approvals (issue 14 item 6): which actions need a second operator's approval. */
export const ApprovalSettingsPage: FC<{ policy: ApprovalPolicy }> = ({ policy }) => (
  <>
    <BackLink href="/settings">Settings</BackLink>
    <h1 class="m-0 mb-4 text-2xl font-semibold">Dual control</h1>
    <Section id="approval-policy" title="Actions that need a second operator">
      <p class="m-0 mb-3 text-sm text-slate-600">
        A checked action does not run when asked: it becomes a request, with the requester's reason,
        that an owner or admin other than the requester approves or rejects on{' '}
        <a href="/approvals" class="text-violet-700 underline">
          Approvals
        </a>{' '}
        within 24 hours. On approval it runs as the requester, and its audit entry names both.
      </p>
      <form method="post" action="/settings/approvals">
        <fieldset class="m-0 mb-4 border-0 p-0">
          <legend class="mb-2 text-sm font-medium text-slate-700">Needs approval</legend>
          {APPROVAL_KINDS.map((kind) => (
            <div class="mb-2 flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                id={`policy-${kind}`}
                name={kind}
                value="on"
                checked={policy[kind]}
              />
              <label for={`policy-${kind}`}>{APPROVAL_KIND_LABELS[kind]}</label>
            </div>
          ))}
        </fieldset>
        <Button>Save</Button>
      </form>
    </Section>
  </>
)
